/**
 * A reader for the HCL the generator writes (attributes of strings, numbers, booleans and lists of
 * strings; blocks without labels; `#` comments), so the tests take the prefix, format and paths from
 * the generated files themselves. Anything else is an error, which also keeps the files that simple.
 */
export type HclValue = string | number | boolean | string[] | HclBody[];
export interface HclBody {
  [name: string]: HclValue;
}

const TOKEN = /\s+|#[^\n]*|"(?:[^"\\\n]|\\.)*"|[A-Za-z_][A-Za-z0-9_-]*|0[0-7]+|-?[0-9]+|[{}[\]=,]/y;

export function parseHcl(text: string): HclBody {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw new Error(`HCL: unexpected ${JSON.stringify(text.slice(at, at + 20))}`);
    if (!/^\s|^#/.test(match[0])) tokens.push(match[0]);
  }
  let i = 0;
  const next = () => {
    const token = tokens[i++];
    if (token === undefined) throw new Error('HCL: unexpected end');
    return token;
  };
  const value = (token: string): string | number | boolean => {
    if (token.startsWith('"')) return JSON.parse(token) as string;
    if (token === 'true' || token === 'false') return token === 'true';
    if (/^0[0-7]+$/.test(token)) return parseInt(token, 8);
    if (/^-?[0-9]+$/.test(token)) return Number(token);
    throw new Error(`HCL: unexpected ${token}`);
  };
  const body = (closing: string | undefined): HclBody => {
    const result: HclBody = {};
    for (let token = tokens[i]; token !== closing; token = tokens[i]) {
      const name = next();
      if (!/^[A-Za-z_]/.test(name)) throw new Error(`HCL: unexpected ${name}`);
      const op = next();
      if (op === '{') {
        const block = body('}');
        next();
        result[name] = [...((result[name] as HclBody[] | undefined) ?? []), block];
      } else if (op === '=') {
        const first = next();
        if (first !== '[') result[name] = value(first);
        else {
          const list: string[] = [];
          for (let item = next(); item !== ']'; item = next()) if (item !== ',') list.push(value(item) as string);
          result[name] = list;
        }
      } else throw new Error(`HCL: unexpected ${op} after ${name}`);
      if (closing === undefined && i >= tokens.length) break;
    }
    return result;
  };
  return body(undefined);
}

/** The one block `name` of `body`. */
export function block(body: HclBody, name: string): HclBody {
  const blocks = body[name] as HclBody[] | undefined;
  if (!blocks || blocks.length !== 1) throw new Error(`HCL: expected one ${name} block`);
  return blocks[0]!;
}

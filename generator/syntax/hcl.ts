/**
 * Quoting for HCL output (envconsul and consul-template configs, both read with HCL 1). A string is
 * a JSON string literal, whose escapes HCL reads the same way. `${` and `%{` start interpolations in
 * HCL (1 and 2 differ on how to escape them), so a string holding one is refused, never guessed.
 */
import { quoted, type Quoted } from './quoted.ts';

export function hclString(value: string): Quoted<'hcl'> {
  if (/[$%]\{/.test(value))
    throw new Error(`cannot write ${JSON.stringify(value)} as an HCL string: it contains \${ or %{`);
  return quoted(JSON.stringify(value));
}

export function hclList(values: readonly string[]): Quoted<'hcl'> {
  return quoted(`[${values.map(hclString).join(', ')}]`);
}

/**
 * String attributes, one per line, each after a newline and `indent`, names padded to `width` (the
 * `=` signs aligned with the block's other lines); undefined values are left out.
 */
export function hclStringAttributes(
  attributes: Readonly<Record<string, string | undefined>>,
  indent: string,
  width: number,
): Quoted<'hcl'> {
  const lines = Object.entries(attributes).flatMap(([name, value]) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(name))
      throw new Error(`cannot write ${JSON.stringify(name)} as an HCL attribute name`);
    return value === undefined ? [] : [`\n${indent}${name.padEnd(width)} = ${hclString(value)}`];
  });
  return quoted(lines.join(''));
}

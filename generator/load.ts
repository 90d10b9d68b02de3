/** Stage 1 — load: read `schemas/*.schema.json` and resolve `$ref`s relative to the file that holds them. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SchemaProblem } from './schema-problems.ts';

export type SchemaNode = { [key: string]: unknown };

export interface LoadedSchema {
  /** The service name, from the file name `<service>.schema.json`. */
  service: string;
  /** Path as printed in messages, relative to the project root. */
  file: string;
  /** The file's JSON as written. */
  raw: SchemaNode;
  /** The same with every `$ref` replaced by what it points to. */
  schema: SchemaNode;
  /** Every file read: this one and those its `$ref`s point to (absolute paths). */
  sources?: string[];
}

export const SCHEMA_SUFFIX = '.schema.json';

/** The schema files of a folder, by name; or the one file named. */
export function listSchemaFiles(schemas: string): string[] {
  if (statSync(schemas).isFile()) return [schemas];
  return readdirSync(schemas)
    .filter((name) => name.endsWith(SCHEMA_SUFFIX))
    .sort()
    .map((name) => join(schemas, name));
}

/** `schemas/wazo-auth.schema.json` → `wazo-auth`. */
export function serviceOfFile(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.endsWith(SCHEMA_SUFFIX) ? name.slice(0, -SCHEMA_SUFFIX.length) : name.replace(/\.json$/, '');
}

export async function loadSchema(path: string, root: string): Promise<LoadedSchema | SchemaProblem> {
  const file = relative(root, path);
  const service = serviceOfFile(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? { file, pointer: '', message: 'no such file', hint: 'check the path' }
      : {
          file,
          pointer: '',
          message: `cannot read the file: ${code ?? (error as Error).message}`,
          hint: 'check its permissions',
        };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { file, pointer: '', message: `not valid JSON: ${(error as Error).message}`, hint: 'fix the JSON syntax' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { file, pointer: '', message: 'a schema file must hold a JSON object', hint: 'start the file with {' };
  }
  // Most schemas hold no `$ref`: they are their own resolved form, with no resolver to import (a tenth of a second)
  // nor copy to make (the resolver rewrites its input in place). Conservative: any `ref"`, or any \u escape that might
  // spell one, takes the resolver.
  if (!text.includes('ref"') && !text.includes('\\u')) {
    return { service, file, raw: raw as SchemaNode, schema: raw as SchemaNode, sources: [path] };
  }
  try {
    const { $RefParser } = await import('@apidevtools/json-schema-ref-parser');
    const parser = new $RefParser();
    const schema = (await parser.dereference(path, structuredClone(raw), {
      dereference: { circular: false },
      resolve: { http: false },
    })) as SchemaNode;
    const sources = [...new Set([path, ...parser.$refs.paths('file')])];
    return { service, file, raw: raw as SchemaNode, schema, sources };
  } catch (error) {
    const message = ((error as Error).message.split('\n')[0] ?? String(error)).trim();
    return {
      file,
      pointer: '',
      message: `cannot resolve $ref: ${message}`,
      hint: '$ref paths are relative to the file that holds them',
    };
  }
}

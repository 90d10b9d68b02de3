/** Stage 1 — load: read `schemas/*.schema.json` and resolve `$ref`s relative to the file that holds them. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import $RefParser from '@apidevtools/json-schema-ref-parser';
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
}

export const SCHEMA_SUFFIX = '.schema.json';

export function listSchemaFiles(schemasDir: string): string[] {
  return readdirSync(schemasDir)
    .filter((name) => name.endsWith(SCHEMA_SUFFIX))
    .sort()
    .map((name) => join(schemasDir, name));
}

export async function loadSchema(path: string, root: string): Promise<LoadedSchema | SchemaProblem> {
  const file = relative(root, path);
  const service = path.slice(path.lastIndexOf('/') + 1, -SCHEMA_SUFFIX.length);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? { file, pointer: '', message: 'no such file', hint: 'check the path' }
      : { file, pointer: '', message: `cannot read the file: ${code ?? (error as Error).message}`, hint: 'check its permissions' };
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
  try {
    const schema = (await $RefParser.dereference(path, structuredClone(raw), {
      dereference: { circular: false },
      resolve: { http: false },
    })) as SchemaNode;
    return { service, file, raw: raw as SchemaNode, schema };
  } catch (error) {
    const message = ((error as Error).message.split('\n')[0] ?? String(error)).trim();
    return { file, pointer: '', message: `cannot resolve $ref: ${message}`, hint: '$ref paths are relative to the file that holds them' };
  }
}

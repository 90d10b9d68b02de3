/** Stage 5 — format: prettier, in memory, for the syntaxes it knows; other files pass unchanged. */
import { extname, join } from 'node:path';
import * as prettier from 'prettier';
import type { GeneratedFile } from './emit/emitter.ts';

const PARSERS: Record<string, string> = {
  '.ts': 'typescript',
  '.js': 'babel',
  '.json': 'json',
  '.md': 'markdown',
  '.yaml': 'yaml',
  '.html': 'html',
};

export async function formatFiles(files: GeneratedFile[], root: string): Promise<GeneratedFile[]> {
  const options = (await prettier.resolveConfig(join(root, 'package.json'))) ?? {};
  return Promise.all(
    files.map(async (file) => {
      const parser = PARSERS[extname(file.path)];
      if (!parser) return file;
      return { ...file, contents: await prettier.format(file.contents, { ...options, parser }) };
    }),
  );
}

/**
 * Stage 5 — format: prettier, in memory, for the files whose emitter asks for it (`GeneratedFile.prettier`: the
 * TypeScript loaders, whose types json-schema-to-typescript writes unindented). Every other file is
 * emitted in its final layout and passes unchanged: prettier would cost seconds on Markdown, HTML and the ajv
 * validators for nothing a reader sees. Prettier itself is imported only when a file needs it.
 */
import { join } from 'node:path';
import type { GeneratedFile } from './emit/emitter.ts';

export async function formatFiles(files: GeneratedFile[], root: string): Promise<GeneratedFile[]> {
  if (!files.some((file) => file.prettier)) return files;
  const prettier = await import('prettier');
  // The project's prettier settings, resolved once for every file (they are the same for all of them).
  const options = (await prettier.resolveConfig(join(root, 'package.json'))) ?? {};
  return Promise.all(
    files.map(async (file) =>
      file.prettier
        ? { ...file, contents: await prettier.format(file.contents, { ...options, parser: file.prettier }) }
        : file,
    ),
  );
}

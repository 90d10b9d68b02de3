/**
 * Stage 6 — write: compare with what is on disk, write only changed files, delete generated files
 * no schema produces any more. `check` writes nothing and lists what is stale.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { GeneratedFile } from './emit/emitter.ts';

export interface WriteResult {
  written: string[];
  deleted: string[];
  unchanged: string[];
}

/** What would change: files to write (new or different) and files to delete. */
export function plan(files: GeneratedFile[], outDir: string): WriteResult {
  const expected = new Set(files.map((f) => f.path));
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const file of files) {
    const target = join(outDir, file.path);
    const same = existsSync(target) && readFileSync(target, 'utf8') === file.contents;
    (same ? unchanged : written).push(file.path);
  }
  const deleted = listFiles(outDir).filter((path) => !expected.has(path));
  return { written, deleted, unchanged };
}

export function apply(files: GeneratedFile[], outDir: string, result: WriteResult): void {
  const toWrite = new Set(result.written);
  for (const file of files) {
    if (!toWrite.has(file.path)) continue;
    const target = join(outDir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.contents);
  }
  for (const path of result.deleted) rmSync(join(outDir, path));
  removeEmptyDirs(outDir);
}

function listFiles(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path, base) : [relative(base, path)];
    });
}

function removeEmptyDirs(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      removeEmptyDirs(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
    }
  }
}

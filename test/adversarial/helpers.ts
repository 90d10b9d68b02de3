/**
 * The adversarial suite's shared frame: the real wazo-auth loader (generated/, checked in), inputs
 * written to a throw-away directory, and the outcome of one load as either the config or the
 * ConfigError's problem lines. A case passes only with the exact clear error or the exact value.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../generated/wazo-auth/config.ts';
import { ConfigError, type LoadOptions } from '../../generator/runtime/index.ts';
import { memoryLogger, tempRoot } from '../helpers.ts';

export { loadConfig, type Config };

/** A directory holding `entries` (relative name → text). */
export function files(entries: Record<string, string | Buffer> = {}): string {
  const dir = tempRoot();
  for (const [name, text] of Object.entries(entries)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Loads wazo-auth with nothing but what `options` give (no /etc, no Consul, no process env). */
export function load(options: LoadOptions<Config>): Promise<Config> {
  return loadConfig({
    configFile: false,
    configDir: false,
    env: {},
    consul: false,
    logger: memoryLogger(),
    ...options,
  });
}

/** The problem lines of the ConfigError a load must throw (anything else fails the case). */
export async function problemsOf(options: LoadOptions<Config>): Promise<string[]> {
  const error = await load(options).then(
    () => assert.fail('expected a ConfigError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String((error as Error)?.stack ?? error)}`);
  return error.message
    .split('\n')
    .slice(1)
    .map((line) => line.replace(/^ {2}- /, ''));
}

/** Loads a config file holding `text`, alone. */
export function fileProblems(
  text: string | Buffer,
  options: LoadOptions<Config> = {},
): Promise<{ problems: string[]; file: string }> {
  const file = join(files({ 'config.yml': text }), 'config.yml');
  return problemsOf({ configFile: file, ...options }).then((problems) => ({ problems, file }));
}

export async function loadText(text: string, options: LoadOptions<Config> = {}): Promise<Config> {
  const file = join(files({ 'config.yml': text }), 'config.yml');
  return load({ configFile: file, ...options });
}

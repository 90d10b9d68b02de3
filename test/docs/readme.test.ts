/**
 * The service references and the index say what the model says: every key with its facts, secrets
 * masked, live keys summarised; and each "how to change a key" snippet, read back by the real
 * parser of its syntax (sh, util.parseEnv, YAML) and decoded by the codec, sets the example value.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { parseEnv } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { keyFactsOf, listExample, scalarExample, type ExampleChange } from '../../generator/emit/docs-facts.ts';
import type { ServiceModel } from '../../generator/model.ts';
import { decode } from '../../generator/runtime/codec.ts';
import { MASK } from '../../generator/runtime/problems.ts';
import { getAt } from '../../generator/runtime/tree.ts';
import type { JsonValue } from '../../generator/runtime/types.ts';
import { mdCode } from '../../generator/syntax/markdown.ts';
import { checkedInDocs, hostileModel, realModels, renderDocs } from './docs-helpers.ts';

const hostile = hostileModel();
/** The real services with their checked-in docs, and the hostile schema with docs of its own. */
const sets: { models: ServiceModel[]; files: Map<string, string> }[] = [
  { models: await realModels(), files: checkedInDocs(await realModels()) },
  { models: [hostile], files: new Map((await renderDocs([hostile])).map((f) => [f.path, f.contents])) },
];

/** The text of the section under a key's heading, up to the next heading. */
function sectionOf(readme: string, key: string): string {
  const heading = new RegExp(`^#{3,6} ${mdCode(key).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm');
  const start = readme.search(heading);
  assert.ok(start >= 0, `no heading for ${key}`);
  const rest = readme.slice(readme.indexOf('\n', start));
  const end = rest.search(/^#{1,6} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The body of every fenced block of that language. */
function fences(markdown: string, language: string): string[] {
  return [...markdown.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!);
}

function decoded(change: ExampleChange, text: string | undefined): JsonValue {
  assert.notEqual(text, undefined, `${change.leaf.envName}: not in the snippet`);
  const result = decode(text!, change.leaf);
  assert.ok(result.ok, `${change.leaf.envName}: ${text} does not decode`);
  return result.value;
}

for (const { models, files } of sets) {
  for (const model of models) {
    describe(`${model.name}/README.md`, () => {
      const readme = files.get(`${model.name}/README.md`)!;
      const changes = [scalarExample(model)!, listExample(model)].filter((c) => c !== undefined);

      it('documents every key with its facts, secrets masked', () => {
        for (const leaf of model.leaves) {
          const facts = keyFactsOf(model, leaf);
          const section = sectionOf(readme, facts.key);
          assert.ok(section.includes(`- Environment variable: ${mdCode(leaf.envName)}`), `${facts.key}: env`);
          assert.ok(section.includes(`- Consul key: ${mdCode(leaf.consulKey)}`), `${facts.key}: Consul key`);
          assert.ok(
            section.includes(leaf.mutable ? '- Applied: **live**' : '- Applied: at restart'),
            `${facts.key}: applied`,
          );
          assert.equal(section.includes('- Secret:'), leaf.secret, `${facts.key}: secret`);
          assert.equal(section.includes('- Deprecated:'), leaf.deprecated, `${facts.key}: deprecated`);
          if (leaf.secret && leaf.default !== undefined) {
            assert.ok(section.includes(`- Default: ${mdCode(MASK)}`), `${facts.key}: masked`);
            if (typeof leaf.default === 'string' && leaf.default !== '')
              assert.ok(!section.includes(leaf.default), `${facts.key}: default shown`);
          }
        }
      });

      it('lists the keys applied live', () => {
        const live = readme.slice(readme.indexOf('## Changes applied live'), readme.indexOf('## How to change a key'));
        for (const leaf of model.leaves) assert.equal(live.includes(mdCode(leaf.envName)), leaf.mutable, leaf.envName);
      });

      it('says what a SIGHUP does to a file change, rather than that files are read only at start', () => {
        const files = readme.slice(readme.indexOf('### In a config file'), readme.indexOf('### In Consul KV'));
        assert.match(
          files,
          /send `[\w-]+` a SIGHUP: its watcher \(`watchConfig`\)\s+reads every file again, applies the keys marked live at once/,
        );
        assert.doesNotMatch(files, /restart `[\w-]+`: files are read at start/);
      });

      it('shows Consul commands that sh reads as the example values', () => {
        const commands = fences(readme, 'sh').flatMap((body) => body.trim().split('\n'));
        assert.equal(commands.length, changes.length);
        commands.forEach((command, i) => {
          assert.match(command, /^consul kv put /);
          const args = execFileSync('sh', ['-c', command.replace(/^consul kv put /, "printf '%s\\0' ")])
            .toString()
            .split('\0');
          assert.equal(args[0], changes[i]!.leaf.consulKey);
          assert.deepEqual(decoded(changes[i]!, args[1]), changes[i]!.value);
        });
      });

      it('shows env-file lines and ConfigMap data that read back as the example values', () => {
        const env = parseEnv(fences(readme, 'dotenv')[0]!);
        const yamlBlocks = fences(readme, 'yaml').map((body) => parseYaml(body) as Record<string, unknown>);
        const configMap = yamlBlocks.find((doc) => 'data' in doc)!.data as Record<string, unknown>;
        const file = yamlBlocks.find((doc) => !('data' in doc))!;
        for (const change of changes) {
          assert.deepEqual(decoded(change, env[change.leaf.envName]), change.value);
          assert.equal(typeof configMap[change.leaf.envName], 'string', 'ConfigMap data are strings');
          assert.deepEqual(decoded(change, configMap[change.leaf.envName] as string), change.value);
          assert.deepEqual(getAt(file as never, change.leaf.path), change.value);
        }
      });
    });
  }

  describe(`docs/index.md of ${models.map((m) => m.name).join(', ')}`, () => {
    const index = files.get('docs/index.md')!;

    it('counts every service and links its reference', () => {
      for (const model of models) {
        const row = index
          .split('\n')
          .find((line) => line.startsWith(`| [${mdCode(model.name)}](../${model.name}/README.md)`));
        assert.ok(row, model.name);
        const counts = row
          .split('|')
          .slice(2, 6)
          .map((cell) => Number(cell.trim()));
        assert.deepEqual(counts, [
          model.leaves.length,
          model.leaves.filter((l) => l.mutable).length,
          model.leaves.filter((l) => l.secret).length,
          model.leaves.filter((l) => l.deprecated).length,
        ]);
      }
    });

    it('draws every dependency and the sources in precedence order', () => {
      const [dependencies, precedence] = fences(index, 'mermaid');
      for (const model of models) {
        for (const dep of model.dependsOn)
          assert.ok(
            dependencies!.includes(`${model.name.replaceAll('-', '_')} --> ${dep.replace(/[^A-Za-z0-9_]/g, '_')}`),
            `${model.name} → ${dep}`,
          );
      }
      const order = ['defaults', 'file', 'confd', 'consul', 'env', 'overrides'].map((id) =>
        precedence!.indexOf(`${id}[`),
      );
      assert.deepEqual(
        [...order].sort((a, b) => a - b),
        order,
      );
      assert.ok(order.every((at) => at >= 0));
    });
  });
}

it('shows a secret default in no docs file', () => {
  for (const [path, contents] of sets[1]!.files) assert.ok(!contents.includes('hunter2'), path);
});

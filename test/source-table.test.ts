/** The one ordered table of sources: its order, replacing a slot by name, and the loader reading it. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  resolveConfig,
  SOURCE_SLOTS,
  sourceTable,
  sourcesFor,
  type ConfigSource,
  type ServiceSpec,
  type SlotBuilders,
  type SourceReplacements,
} from '../generator/runtime/index.ts';
import { serviceSpecs } from '../generator/service-specs.ts';
import { memoryLogger, REPO } from './helpers.ts';

const named = (name: string): ConfigSource => ({ name, read: async () => ({ layers: [], problems: [] }) });

function builders(built: string[] = []): SlotBuilders {
  return Object.fromEntries(SOURCE_SLOTS.map((slot) => [slot, () => (built.push(slot), named(slot))])) as SlotBuilders;
}

describe('the source table', () => {
  it('is the seven slots of the README, lowest priority first', () => {
    assert.deepEqual([...SOURCE_SLOTS], ['defaults', 'files', 'consul', 'discovered', 'connect', 'env', 'overrides']);
  });

  const cases: { given: string; replacements: SourceReplacements; extras?: string[]; want: string[] }[] = [
    {
      given: 'no replacement',
      replacements: {},
      want: ['defaults', 'files', 'consul', 'discovered', 'connect', 'env', 'overrides'],
    },
    {
      given: 'a slot replaced by name',
      replacements: { consul: named('snapshot') },
      want: ['defaults', 'files', 'snapshot', 'discovered', 'connect', 'env', 'overrides'],
    },
    {
      given: 'slots left empty',
      replacements: { files: false, env: false },
      want: ['defaults', 'consul', 'discovered', 'connect', 'overrides'],
    },
    {
      given: 'extras',
      replacements: { discovered: false },
      extras: ['a', 'b'],
      want: ['defaults', 'files', 'consul', 'connect', 'a', 'b', 'env', 'overrides'],
    },
  ];
  for (const { given, replacements, extras, want } of cases) {
    it(`given ${given}, keeps the table's order`, () => {
      const names = sourceTable(builders(), replacements, (extras ?? []).map(named)).map((s) => s.name);
      assert.deepEqual(names, want);
    });
  }

  it('builds no source for a replaced slot', () => {
    const built: string[] = [];
    sourceTable(builders(built), { consul: named('snapshot'), discovered: false });
    assert.deepEqual(built, ['defaults', 'files', 'connect', 'env', 'overrides']);
  });

  let service: ServiceSpec;
  before(async () => {
    [service] = (await serviceSpecs(REPO, ['wazo-webhookd'])) as [ServiceSpec];
  });

  it("the loader's sources are the table's, named by slot", () => {
    const names = sourcesFor(service, { consul: false, env: {} }).map((s) => s.name);
    assert.deepEqual(names, ['defaults', 'files', 'env', 'overrides']);
  });

  it('a replaced slot keeps its rank: the environment still wins over the files slot', async () => {
    const files: ConfigSource = {
      name: 'given files',
      read: async () => ({
        layers: [{ kind: 'values', values: [{ path: ['hook_max_attempts'], value: 2, source: 'file given' }] }],
        problems: [],
      }),
    };
    const { tree } = await resolveConfig(service, {
      consul: false,
      env: { WAZO_WEBHOOKD_HOOK_MAX_ATTEMPTS: '3' },
      replaceSources: { files },
      pemFiles: false,
      logger: memoryLogger(),
    });
    assert.equal(tree.root.hook_max_attempts, 3);
    assert.equal(tree.sourceOf(['hook_max_attempts']), 'env WAZO_WEBHOOKD_HOOK_MAX_ATTEMPTS');
    const { tree: without } = await resolveConfig(service, {
      consul: false,
      env: {},
      replaceSources: { files },
      pemFiles: false,
      logger: memoryLogger(),
    });
    assert.equal(without.root.hook_max_attempts, 2);
    assert.equal(without.sourceOf(['hook_max_attempts']), 'file given');
  });
});

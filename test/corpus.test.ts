/**
 * The real-world corpus: Wazo's shipped config files load through their generated loaders with no
 * error, and give what Wazo's own merge gives (test/fixtures/wazo/SOURCES.md for provenance).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { getAt, type Resolved, type LoadOptions, type ServiceSpec } from '../generator/runtime/index.ts';
import { CORPUS, CORPUS_SERVICES, memoryLogger, readJson, REPO, SCHEMA_SERVICES } from './helpers.ts';

interface Loader {
  service: ServiceSpec;
  resolveConfigWithSources(options?: LoadOptions): Promise<Resolved<Record<string, unknown>>>;
}

/** conf.d files other packages ship into a service's conf.d (SOURCES.md). */
const SHIPPED_CONFD: Record<string, string> = {
  'wazo-auth': 'wazo-auth-keys/shipped-into-wazo-auth-conf.d',
};

const schemas = SCHEMA_SERVICES;
const services = CORPUS_SERVICES;

describe('real-world corpus', () => {
  it('has a schema for at least five services', () => assert.ok(services.length >= 5, services.join()));
  it('has a corpus entry for every Wazo service schema', () =>
    assert.deepEqual(
      schemas.filter((name) => name.startsWith('wazo-')),
      services,
    ));

  for (const name of services) {
    it(`${name}: the shipped config.yml loads and equals Wazo's merge for every key it has`, async () => {
      const { resolveConfigWithSources, service } = (await import(
        join(REPO, 'generated', name, 'config.ts')
      )) as Loader;
      const logger = memoryLogger();
      const { config, tree } = await resolveConfigWithSources({
        configFile: join(CORPUS, name, 'config.yml'),
        configDir: false,
        env: {},
        logger,
      });
      const effective = readJson(join(CORPUS, name, 'effective_config.json')) as Record<string, unknown>;
      let compared = 0;
      for (const setting of service.settings) {
        const expected = getAt(effective as never, setting.path);
        if (expected === undefined) continue;
        assert.deepEqual(getAt(config as never, setting.path), expected, setting.path.join('.'));
        compared++;
      }
      assert.ok(compared > service.settings.length * 0.8, `compared ${compared} of ${service.settings.length} keys`);
      // Values the file sets are attributed to it, the others to the default: which is which, read here from the file.
      const file = join(CORPUS, name, 'config.yml');
      const shipped = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
      // (A merged map's source, entry by entry, is explain's business: left out here.)
      for (const setting of service.settings.filter((s) => s.path.length === 1 && !s.types.includes('map'))) {
        const source = tree.sourceOf(setting.path);
        if (setting.path[0]! in shipped)
          assert.match(source, new RegExp(`^file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`), setting.path[0]);
        else assert.equal(source, 'default', setting.path[0]);
      }
      // The only warnings are the corpus's known typo keys (README.md of the corpus).
      for (const line of logger.lines)
        assert.match(line, /unknown key email_confirmation_get_(response_body_template|mimetype)' .*did you mean/);
    });

    const confd = SHIPPED_CONFD[name];
    if (confd && existsSync(join(CORPUS, confd))) {
      it(`${name}: config.yml with the conf.d files shipped into it loads`, async () => {
        const { resolveConfigWithSources } = (await import(join(REPO, 'generated', name, 'config.ts'))) as Loader;
        const { tree } = await resolveConfigWithSources({
          configFile: join(CORPUS, name, 'config.yml'),
          configDir: join(CORPUS, confd),
          env: {},
          logger: memoryLogger(),
        });
        const fromConfd = [...readdirSync(join(CORPUS, confd))].map((f) => `file ${join(CORPUS, confd, f)}`);
        for (const path of [['default_user_policy'], ['default_policies', 'wazo_default_user_policy']]) {
          assert.ok(fromConfd.includes(tree.sourceOf(path)), tree.sourceOf(path));
        }
      });
    }

    it(`${name}: the in-code defaults are the schema defaults`, async () => {
      const { resolveConfigWithSources, service } = (await import(
        join(REPO, 'generated', name, 'config.ts')
      )) as Loader;
      const { config } = await resolveConfigWithSources({
        configFile: false,
        configDir: false,
        env: {},
        logger: memoryLogger(),
      });
      const defaults = readJson(join(CORPUS, name, 'default_config.json')) as Record<string, unknown>;
      for (const setting of service.settings) {
        const expected = getAt(defaults as never, setting.path);
        if (expected !== undefined)
          assert.deepEqual(getAt(config as never, setting.path), expected, setting.path.join('.'));
      }
    });
  }
});

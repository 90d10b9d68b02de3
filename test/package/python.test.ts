/**
 * The Python runtime as a Python service installs it: `pip install` of python/ into a fresh
 * virtual environment (`--system-site-packages`, so that Debian's python3-yaml serves the
 * dependency; offline, no build isolation), then a generated `config.py` copied outside the
 * repository imports it and loads a YAML file and env vars.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { missingTool } from '../missing-tool.ts';
import { REPO } from '../helpers.ts';

const exec = promisify(execFile);
const PYTHON = '/usr/bin/python3';

describe('the Python runtime installed with pip into a virtual environment', () => {
  const work = mkdtempSync(join(tmpdir(), 'wazo-config-pip-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it(
    'installs offline and serves a generated config.py',
    { skip: missingTool(PYTHON, ['-m', 'pip', '--version'], 'python3-pip') },
    async () => {
      const venv = join(work, 'venv');
      const env = { PATH: process.env.PATH, HOME: work, PIP_NO_INDEX: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' };
      await exec(PYTHON, ['-m', 'venv', '--system-site-packages', venv], { env });
      // From a copy: building writes build/ and *.egg-info beside the sources, which must not land in the repository.
      cpSync(join(REPO, 'python'), join(work, 'python'), {
        recursive: true,
        filter: (path) => !/__pycache__|\.egg-info|\/build$/.test(path),
      });
      await exec(join(venv, 'bin', 'pip'), ['install', '--no-index', '--no-build-isolation', join(work, 'python')], {
        env,
        cwd: work,
      });
      copyFileSync(join(REPO, 'generated', 'wazo-webhookd', 'config.py'), join(work, 'config.py'));
      writeFileSync(join(work, 'config.yml'), 'debug: yes\nrest_api:\n  port: 9999\n');
      const script = [
        'import json, config',
        "c = config.resolve_config(config_file='config.yml', config_dir=False, consul=False, env={'WAZO_WEBHOOKD_BUS_HOST': 'rabbitmq'})",
        "print(json.dumps({'debug': c.config['debug'], 'port': c.config['rest_api']['port'], 'host': c.config['bus']['host'], 'source': c.tree.source_of(['bus', 'host'])}))",
        'import wazo_config; print(wazo_config.__file__)',
      ].join('\n');
      const { stdout } = await exec(join(venv, 'bin', 'python'), ['-c', script], { env, cwd: work });
      const [loaded, location] = stdout.trim().split('\n');
      assert.deepEqual(JSON.parse(loaded!), {
        debug: true,
        port: 9999,
        host: 'rabbitmq',
        source: 'env WAZO_WEBHOOKD_BUS_HOST',
      });
      assert.ok(
        location!.startsWith(venv),
        `wazo_config is imported from the virtual environment, not the repository: ${location}`,
      );
    },
  );
});

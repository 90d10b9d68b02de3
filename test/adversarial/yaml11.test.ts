/**
 * One row per YAML 1.1 scalar form: the loader's reading (generator/runtime/yaml11.ts) against
 * PyYAML's `safe_load`, the reader Wazo's files were written for — Debian's /usr/bin/python3 with
 * python3-yaml, run once for the whole table. Where JavaScript cannot hold PyYAML's value (an
 * infinity, NaN, an integer past 2^53) the loader refuses it with a clear error instead; dates stay
 * text on purpose (no setting is a date).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { parseYaml11 } from '../../generator/runtime/yaml11.ts';

const SCALARS = [
  // booleans: PyYAML's list, and what it leaves as text
  'yes',
  'Yes',
  'YES',
  'no',
  'No',
  'NO',
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  'on',
  'On',
  'ON',
  'off',
  'Off',
  'OFF',
  'y',
  'Y',
  'n',
  'N',
  'yEs',
  'tRUE',
  'oN',
  // null
  '~',
  'null',
  'Null',
  'NULL',
  'nUll',
  '',
  // integers
  '0',
  '-0',
  '+12',
  '12',
  '1_000',
  '010',
  '-010',
  '0o10',
  '08',
  '09',
  '0x1F',
  '0x_1f',
  '-0x10',
  '0b101',
  '-0b1_0',
  '190:20:30',
  '-1:30',
  '0:30',
  '1:60',
  '9007199254740991',
  '-9007199254740991',
  '9007199254740993',
  '0x20000000000001',
  // floats
  '1.5',
  '-1.5',
  '+1.5',
  '1.',
  '.5',
  '1_000.5',
  '1.0e+3',
  '1.0e-3',
  '1.0E+3',
  '1e3',
  '1.0e3',
  '6.8523015e+5',
  '190:20:30.15',
  '.inf',
  '-.Inf',
  '+.INF',
  '.nan',
  '.NaN',
  '1.0e+999',
  // text that looks like something else
  '=',
  '<<x',
  '0.1.2',
  '1,000',
  '12:30:00',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  'a: b',
  "'quoted'",
  '"1"',
  '!!str 12',
  '!!int "12"',
  '!!float 1',
  '!!bool yes',
  '0xG',
  '1__0',
  '-',
  '.',
  '...x',
] as const;

/** PyYAML's reading of `key: <scalar>` for each row, as tagged JSON. */
function pyyamlReadings(): unknown[] {
  const program = String.raw`
import datetime, json, math, sys, yaml
out = []
for text in json.load(sys.stdin):
    try:
        v = yaml.safe_load('key: ' + text)['key']
    except Exception as e:
        out.append({'error': type(e).__name__}); continue
    if isinstance(v, bool): out.append({'bool': v})
    elif isinstance(v, int): out.append({'int': str(v)})
    elif isinstance(v, float): out.append({'float': 'nan' if math.isnan(v) else 'inf' if v == math.inf else '-inf' if v == -math.inf else repr(v)})
    elif isinstance(v, (datetime.date, datetime.datetime)): out.append({'date': str(v)})
    elif v is None: out.append({'null': True})
    elif isinstance(v, str): out.append({'str': v})
    else: out.append({'other': repr(v)})
print(json.dumps(out))
`;
  return JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', program], { input: JSON.stringify(SCALARS), encoding: 'utf8' }),
  ) as unknown[];
}

/** The loader's reading, in the same tagged form; a refusal is `{ refused }`. */
function loaderReading(text: string): Record<string, unknown> {
  const parsed = parseYaml11(`key: ${text}`);
  if (!parsed.ok) return parsed.path ? { refused: parsed.message } : { error: parsed.message };
  const v = (parsed.value as Record<string, unknown>).key;
  if (typeof v === 'boolean') return { bool: v };
  if (typeof v === 'number')
    return Number.isInteger(v) && !/^!!float|[.eE]|inf|nan/i.test(text.replace(/^!!int /, ''))
      ? { int: String(v) }
      : { float: v };
  if (v === null) return { null: true };
  if (typeof v === 'string') return { str: v };
  return { other: String(v) };
}

const MAX_SAFE = 2n ** 53n - 1n;

describe('YAML 1.1 scalars read as PyYAML reads them', () => {
  const python = pyyamlReadings();
  SCALARS.forEach((text, n) => {
    const theirs = python[n] as Record<string, string | boolean>;
    it(`key: ${text === '' ? '(empty)' : text}  →  PyYAML ${JSON.stringify(theirs)}`, () => {
      const ours = loaderReading(text);
      if ('int' in theirs && (BigInt(theirs.int as string) > MAX_SAFE || BigInt(theirs.int as string) < -MAX_SAFE)) {
        assert.match(String(ours.refused), /is an integer beyond 2\^53, which JavaScript would round/);
      } else if ('float' in theirs && /nan|inf/.test(theirs.float as string)) {
        assert.match(String(ours.refused), /is not a finite number/);
      } else if ('date' in theirs) {
        assert.deepEqual(ours, { str: text }, 'dates stay text');
      } else if ('float' in theirs) {
        assert.equal(ours.float, Number(theirs.float));
      } else if ('error' in theirs) {
        assert.ok(
          'error' in ours || 'refused' in ours,
          `PyYAML refuses it (${String(theirs.error)}); so must the loader, got ${JSON.stringify(ours)}`,
        );
      } else {
        assert.deepEqual(ours, theirs);
      }
    });
  });
});

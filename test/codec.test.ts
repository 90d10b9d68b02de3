import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decode, encode } from '../generator/runtime/codec.ts';
import type { ValueSpec } from '../generator/runtime/types.ts';
import { settingKey, takenValue } from './arbitrary-keys.ts';

const read = (text: string, spec: ValueSpec) => {
  const decoded = decode(text, spec);
  assert.ok(decoded.ok, `${JSON.stringify(text)} should decode`);
  return decoded.value;
};

describe('value text', () => {
  it('writes strings raw and everything else as JSON', () => {
    assert.equal(encode('guest', { types: ['string'] }), 'guest');
    assert.equal(encode('{{ srcnum }}', { types: ['string'] }), '{{ srcnum }}');
    assert.equal(encode(5672, { types: ['integer'] }), '5672');
    assert.equal(encode(false, { types: ['boolean'] }), 'false');
    assert.equal(encode(null, { types: ['string', 'null'] }), 'null');
    assert.equal(encode(['a', 'b'], { types: ['array'] }), '["a","b"]');
    assert.equal(encode({ x: true }, { types: ['map'] }), '{"x":true}');
  });

  it('quotes a string only where its leaf would read the raw text as another type', () => {
    assert.equal(encode('8668', { types: ['integer', 'string'] }), '"8668"');
    assert.equal(encode('null', { types: ['string', 'null'] }), '"null"');
    assert.equal(encode('localhost', { types: ['string', 'null'] }), 'localhost');
    assert.equal(read('"8668"', { types: ['integer', 'string'] }), '8668');
    assert.equal(read('8668', { types: ['integer', 'string'] }), 8668);
    // A plain string leaf never unquotes: the quotes are part of the value.
    assert.equal(read('"x"', { types: ['string'] }), '"x"');
  });

  it('reads the human forms of booleans, in any case', () => {
    for (const word of ['true', 'TRUE', '1', 'yes', 'Yes', 'on', 'ON'])
      assert.equal(read(word, { types: ['boolean'] }), true);
    for (const word of ['false', 'False', '0', 'no', 'NO', 'off', ' off '])
      assert.equal(read(word, { types: ['boolean'] }), false);
    assert.equal(decode('maybe', { types: ['boolean'] }).ok, false);
  });

  it('reads comma-separated lists of scalars', () => {
    assert.deepEqual(read('Content-Type, X-Auth-Token', { types: ['array'], itemTypes: ['string'] }), [
      'Content-Type',
      'X-Auth-Token',
    ]);
    assert.deepEqual(read('1,2, 3', { types: ['array'], itemTypes: ['integer'] }), [1, 2, 3]);
    assert.deepEqual(read('', { types: ['array'], itemTypes: ['string'] }), []);
    assert.deepEqual(read('["a,b"]', { types: ['array'], itemTypes: ['string'] }), ['a,b']);
    assert.equal(decode('1,x', { types: ['array'], itemTypes: ['integer'] }).ok, false);
  });

  it('refuses text that is not of the leaf type, with what was expected and a hint', () => {
    const port = decode('56x', { types: ['integer'] });
    assert.deepEqual(port, { ok: false, expected: 'an integer', hint: 'write a whole number' });
    // The example is the setting's own default, not one port for every integer.
    assert.deepEqual(decode('56x', { types: ['integer'], default: 9497 }), {
      ok: false,
      expected: 'an integer',
      hint: 'write a whole number such as 9497',
    });
    assert.equal(decode('1.5', { types: ['integer'] }).ok, false);
    assert.equal(decode('0x10', { types: ['integer'] }).ok, false);
    assert.equal(decode('{"a":', { types: ['map'] }).ok, false);
    assert.equal(decode('', { types: ['number'] }).ok, false);
  });

  /** Any text: code points from the whole of Unicode (newlines, tabs, controls, quotes, commas, emoji…). */
  const text = fc.string({ unit: 'binary' });
  /** Integers JSON and JavaScript carry exactly, with their edges. */
  const int = fc.oneof(fc.maxSafeInteger(), fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0));
  const specs: [string, ValueSpec, fc.Arbitrary<unknown>][] = [
    ['string', { types: ['string'] }, fc.oneof(text, fc.string({ unit: 'grapheme' }))],
    ['integer', { types: ['integer'] }, int],
    [
      'number',
      { types: ['number'] },
      fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
        int,
      ),
    ],
    ['boolean', { types: ['boolean'] }, fc.boolean()],
    ['nullable string', { types: ['string', 'null'] }, fc.option(text, { nil: null })],
    ['integer or string', { types: ['integer', 'string'] }, fc.oneof(int, text, int.map(String))],
    ['list of strings', { types: ['array'], itemTypes: ['string'] }, fc.array(text)],
    ['list of integers', { types: ['array'], itemTypes: ['integer'] }, fc.array(int)],
    [
      'map',
      { types: ['map'] },
      fc.dictionary(settingKey, fc.oneof(fc.boolean(), text, int), { noNullPrototype: true }),
    ],
    [
      'any',
      { types: [] },
      fc
        .jsonValue()
        .map((v) => JSON.parse(JSON.stringify(v)) as unknown)
        .filter(takenValue),
    ], // JSON has no -0
  ];

  it('-0 has no JSON text: it is written and read back as 0', () => {
    for (const spec of [{ types: ['number'] }, { types: ['integer'] }] as ValueSpec[]) {
      assert.equal(encode(-0, spec), '0');
      assert.ok(Object.is(read('0', spec), 0));
    }
  });

  for (const [name, spec, values] of specs) {
    it(`decode(encode(v)) == v for every ${name}`, () => {
      fc.assert(
        fc.property(values, (value) => {
          const text = encode(value as never, spec);
          assert.deepEqual(read(text, spec), value);
        }),
        { numRuns: 300 },
      );
    });
  }
});

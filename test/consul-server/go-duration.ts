/**
 * Go `time.ParseDuration`, as Consul uses it for `?wait=`.
 * Returns milliseconds (may be fractional or negative), or `undefined` when Go would reject the text.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const TERM = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/u;

export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  while (s !== '') {
    const m = TERM.exec(s);
    if (!m) return undefined;
    const whole = m[1] ?? '';
    const frac = m[2];
    if (whole === '' && (frac === undefined || frac === '')) return undefined;
    const value = Number(`${whole === '' ? '0' : whole}.${frac ?? '0'}`);
    total += value * (UNIT_MS[m[3] ?? ''] ?? NaN);
    s = s.slice(m[0].length);
  }
  return Number.isFinite(total) ? sign * total : undefined;
}

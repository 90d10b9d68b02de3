/** Problems found while loading, and the one error that lists them all. */
import type { JsonValue } from './types.ts';

export interface Problem {
  /** Dotted key, e.g. `bus.port`, or an env/file name when no key applies. */
  key: string;
  /** Where the value came from: `env WAZO_AUTH_BUS_PORT`, `file /etc/…/config.yml`, `default`… */
  source: string;
  /** What was wrong, e.g. `expected an integer`. */
  message: string;
  /** The offending value as shown to humans: masked when secret. */
  value?: string | undefined;
  hint?: string | undefined;
}

export const MASK = '*****';

export function formatProblem(p: Problem): string {
  const got = p.value === undefined ? '' : `, got ${p.value}`;
  const hint = p.hint ? ` (hint: ${p.hint})` : '';
  return `${p.key} (${p.source}): ${p.message}${got}${hint}`;
}

const countOf = (problems: readonly Problem[]) => (problems.length === 1 ? '1 problem' : `${problems.length} problems`);

/**
 * Every problem on one line, for a log record (journald, syslog and log shippers cut at line
 * breaks): `svc: invalid configuration (2 problems): a (src): …; b (src): …`. A line break inside a
 * message (a YAML parser's excerpt) becomes a space.
 */
export function problemsLine(service: string, problems: readonly Problem[]): string {
  const each = problems.map((p) => formatProblem(p).replace(/\s*[\r\n]+\s*/g, ' ')).join('; ');
  return `${service}: invalid configuration (${countOf(problems)}): ${each}`;
}

export class ConfigError extends Error {
  readonly service: string;
  readonly problems: readonly Problem[];

  constructor(service: string, problems: readonly Problem[]) {
    super(
      `${service}: invalid configuration (${countOf(problems)}):\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.service = service;
    this.problems = problems;
  }
}

/** A value as printed in messages: JSON, cut at 80 characters, or the mask for secrets. */
export function showValue(value: JsonValue | undefined, secret: boolean): string {
  if (secret) return MASK;
  // Infinity and NaN as JSON would read `null`: say what the value is.
  const text =
    value === undefined
      ? 'nothing'
      : typeof value === 'number' && !Number.isFinite(value)
        ? String(value)
        : JSON.stringify(value);
  return text.length > 80 ? text.slice(0, 77) + '...' : text;
}

/** The closest candidate within a small edit distance, for "did you mean …" hints. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Quoting for Go `text/template` output (consul-template `.ctmpl` files): string literals inside
 * actions, literal text outside them, and the render-time checks (named templates) that refuse a
 * Consul value an artifact cannot carry, with the setting's name, instead of writing it corrupted.
 *
 * The checks are built from the same rules as the generate-time ones (env.ts, yaml.ts), so what the
 * generator refuses for a default and what the template refuses for a Consul value are one thing.
 * They use consul-template's `keyExists`, `key`, `regexMatch`, `replaceAll`, `toJSON`,
 * `base64Encode` and its Sprig functions `sprig_list` and `sprig_fail` (consul-template ≥ 0.28).
 */
import {
  DOUBLE_QUOTE_RULES,
  ENV_FILE_RULES,
  ENV_VAR_RULES,
  REFUSALS,
  SINGLE_QUOTE_RULES,
  maxEnvValueBytes,
  type EnvRule,
} from './env.ts';
import { goTag, quoted, type Quoted } from './quoted.ts';
import { YAML_EXTRA_ESCAPES, unicodeEscape } from './yaml.ts';

/** A Go interpreted string literal, for inside an action; everything outside printable ASCII is escaped. */
export function goString(value: string): Quoted<'go-template'> {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (code <= 0xffff) out += unicodeEscape(char);
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return quoted(`${out}"`);
}

/** Literal text: a `{{` in it would open an action, so it is written as the action `{{ "{{" }}`. */
export function templateText(text: string): Quoted<'go-template'> {
  return quoted(text.replaceAll('{{', '{{ "{{" }}'));
}

/** Names of the named templates (`define`) the emitters put at the top of their `.ctmpl` files. */
export const CHECKS = {
  envFile: 'wazo-env-file',
  yaml: 'wazo-yaml',
  base64: 'wazo-base64',
} as const;

export type Check = keyof typeof CHECKS;

/**
 * `{{ if keyExists K }}present{{ else }}absent{{ end }}`, where `present` gets the action that
 * renders the key's value through `check`; `trim` puts each action on its own line, as `{{-`. (`keyOrDefault` is not
 * used: it returns the default for
 * a key that exists with an empty value, and an empty string is a value.)
 */
export function kvBranch(options: {
  key: string;
  name: string;
  check: Check;
  present: (value: Quoted<'go-template'>) => Quoted<'go-template'>;
  absent: Quoted<'go-template'>;
  trim?: boolean;
}): Quoted<'go-template'> {
  const { key, name, check } = options;
  const open = (action: Quoted<'go-template'>) => (options.trim ? goTag`\n{{- ${action} }}` : goTag`{{ ${action} }}`);
  const max = quoted<'go-template'>(String(maxEnvValueBytes(name)));
  const keyText = goString(key);
  const value = goTag`{{ template ${goString(CHECKS[check])} (sprig_list ${goString(name)} ${keyText} (key ${keyText}) ${max}) }}`;
  const absent = options.absent === '' ? goTag`` : goTag`${open(goTag`else`)}${options.absent}`;
  return goTag`${open(goTag`if keyExists ${keyText}`)}${options.present(value)}${absent}${open(goTag`end`)}`;
}

/** The `define`s for `checks`, rendering to nothing. */
export function checkDefines(checks: readonly Check[]): Quoted<'go-template'> {
  return quoted(checks.map((check) => define(CHECKS[check], DEFINES[check]())).join(''));
}

/** One statement a line, each `{{-` trimming the line break before it. */
function define(name: string, statements: string[]): string {
  return `{{- define ${goString(name)} }}\n${statements.map((s) => `  ${s}\n`).join('')}{{- end -}}\n`;
}

const HEAD = [
  '{{- $name := index . 0 }}',
  '{{- $key := index . 1 }}',
  '{{- $v := index . 2 }}',
  '{{- $max := index . 3 }}',
];

/** Appends the reasons of the `rules` that `$v` breaks to the `;`-joined `$variable`. */
function collect(variable: string, rules: readonly EnvRule[]): string[] {
  return [
    `{{- ${variable} := "" }}`,
    ...rules.map(
      (rule) =>
        `{{- if regexMatch ${goString(rule.pattern)} $v }}{{ ${variable} = print ${variable} "; " ${goString(rule.reason)} }}{{ end }}`,
    ),
  ];
}

/** `$why` holds the reasons `$v` cannot be an environment variable at all. */
const ENV_VAR_CHECK = [
  ...collect('$why', ENV_VAR_RULES),
  `{{- if gt (len $v) $max }}{{ $why = print $why "; " (printf ${goString(REFUSALS.tooLong)} $max $name) }}{{ end }}`,
];

const failWith = (format: string, reasons: string) =>
  `{{ sprig_fail (printf ${goString(format)} $name $key (slice ${reasons} 2)) }}`;

const DEFINES: Record<Check, () => string[]> = {
  envFile: () => [
    ...HEAD,
    ...ENV_VAR_CHECK,
    ...collect('$why', ENV_FILE_RULES).slice(1),
    ...collect('$single', SINGLE_QUOTE_RULES),
    ...collect('$double', DOUBLE_QUOTE_RULES),
    `{{- if $why }}${failWith(REFUSALS.envFile, '$why')}`,
    `{{- else if not $single }}'{{ $v }}'`,
    `{{- else if not $double }}"{{ $v }}"`,
    `{{- else }}${failWith(REFUSALS.envFile, '(print $single $double)')}`,
    '{{- end }}',
  ],
  yaml: () => [
    ...HEAD,
    ...ENV_VAR_CHECK,
    `{{- if $why }}${failWith(REFUSALS.envVar, '$why')}{{ end }}`,
    `{{- toJSON $v${YAML_EXTRA_ESCAPES.map((c) => ` | replaceAll ${goString(c)} ${goString(unicodeEscape(c))}`).join('')} }}`,
  ],
  base64: () => [
    ...HEAD,
    ...ENV_VAR_CHECK,
    `{{- if $why }}${failWith(REFUSALS.envVar, '$why')}{{ end }}`,
    '{{- base64Encode $v | toJSON }}',
  ],
};

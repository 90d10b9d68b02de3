/**
 * Quoting for HCL output (envconsul and consul-template configs, both read with HCL 1). A string is
 * a JSON string literal, whose escapes HCL reads the same way. `${` and `%{` start interpolations in
 * HCL (1 and 2 differ on how to escape them), so a string holding one is refused, never guessed.
 */
import { quoted, type Quoted } from './quoted.ts';

export function hclString(value: string): Quoted<'hcl'> {
  if (/[$%]\{/.test(value))
    throw new Error(`cannot write ${JSON.stringify(value)} as an HCL string: it contains \${ or %{`);
  return quoted(JSON.stringify(value));
}

export function hclList(values: readonly string[]): Quoted<'hcl'> {
  return quoted(`[${values.map(hclString).join(', ')}]`);
}

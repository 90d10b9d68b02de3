/**
 * Which keys look sensitive: passwords, tokens, keys and key files by their name, URIs by
 * credentials in their value. Suggestions only: `infer` marks each one for review.
 */

/** Name patterns on the last segment of a key, with what the key then is. */
const SECRET_NAMES: { pattern: RegExp; what: string }[] = [
  { pattern: /(^|[_-])(password|passwd|passphrase|secret)$/i, what: 'a password' },
  { pattern: /(^|[_-])token$/i, what: 'a token' },
  { pattern: /(^|[_-])(service_key|api_?key|secret_key|access_key)$/i, what: 'a key' },
  { pattern: /(^|[_-])(key_?file|private_key)$/i, what: 'a key file' },
];

/** `scheme://user:password@host…`: a URI that carries a password. */
const URI_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:[^\s/@]+@/i;

/** Why a key looks secret (`a password`, `a URI with credentials`), or undefined. */
export function secretReason(key: string, values: readonly unknown[]): string | undefined {
  const byName = SECRET_NAMES.find(({ pattern }) => pattern.test(key));
  if (byName) return byName.what;
  if (values.some((value) => typeof value === 'string' && URI_WITH_PASSWORD.test(value)))
    return 'a URI with credentials';
  return undefined;
}

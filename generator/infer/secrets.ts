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

/**
 * Whether a secret key's value is the secret itself (a password, a token, a URI with its password,
 * PEM text), which must not be copied into a schema's `default`; decided by what the key holds, not
 * its name: a key file's path is no secret and may keep its default. Empty values hold nothing.
 */
export function isPlaintextSecret(value: unknown): boolean {
  if (typeof value === 'number') return true;
  return typeof value === 'string' && value !== '' && !FILE_PATH.test(value);
}

/** `/var/lib/wazo-auth-keys/wazo-calld-key.yml`, `./key.pem`, `~/.ssh/id`: one path, no spaces. */
const FILE_PATH = /^(?:\/|\.\.?\/|~\/)[^\s]*$/;

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

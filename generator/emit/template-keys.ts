/** Consul keys consul-template cannot address: the check of the emitters that write `.ctmpl` files. */
import type { ServiceModel } from '../model.ts';
import type { SchemaProblem } from '../schema-problems.ts';

/**
 * consul-template parses the argument of `key`/`keyExists` (dependency.NewKVGetQuery): the key ends
 * at the first `?` (query parameters follow) or `@` (a datacenter follows). `key "a@b"` reads key `a`
 * in datacenter `b`; `key "a?b"` is refused (`b` is no query parameter). A Consul key holding either
 * cannot be templated.
 */
const MEANING: Record<string, string> = {
  '@': 'which consul-template reads as the start of a datacenter',
  '?': 'which consul-template reads as the start of query parameters',
};

export function templateKeyProblems(model: ServiceModel): SchemaProblem[] {
  return model.leaves.flatMap((leaf) => {
    const char = /[@?]/.exec(leaf.consulKey)?.[0];
    return char
      ? [
          {
            file: model.file,
            pointer: leaf.pointer,
            message: `Consul key ${leaf.consulKey} contains ${char}, ${MEANING[char]}`,
            hint: `rename the property, or give x-service a consulPrefix without ${char}`,
          },
        ]
      : [];
  });
}

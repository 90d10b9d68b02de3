/** Consul keys consul-template cannot address, for the emitters of `.ctmpl` files. */
import type { ServiceModel } from '../model.ts';
import { GenerateError } from '../schema-problems.ts';

/** `key "a@b"` reads key `a` in datacenter `b`: a Consul key with `@` cannot be templated. */
export function checkTemplateKeys(model: ServiceModel): void {
  const problems = model.leaves
    .filter((leaf) => leaf.consulKey.includes('@'))
    .map((leaf) => ({
      file: model.file,
      pointer: leaf.pointer,
      message: `Consul key ${leaf.consulKey} contains @, which consul-template reads as a datacenter`,
      hint: 'rename the property, or give x-service a consulPrefix without @',
    }));
  if (problems.length > 0) throw new GenerateError(problems);
}

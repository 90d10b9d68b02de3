/** Loads the PEM service with the default (temporary) directory, prints it, then waits to be signalled. */
import { resolveConfig } from '../../generator/runtime/load.ts';
import { PEM, pemService } from './pem-service.ts';

const resolved = await resolveConfig(pemService, { env: { WAZO_PEM_TLS_CERTIFICATE: PEM }, consul: false });
console.log(resolved.pemFiles!.dir);
setInterval(() => undefined, 1000);

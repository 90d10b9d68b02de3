/** A minimal service with one PEM setting, for the PEM-file cases (and their child process). */
import type { ServiceSpec } from '../../generator/runtime/index.ts';

export const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUD0\n-----END CERTIFICATE-----\n';

export const pemService: ServiceSpec = {
  name: 'wazo-pem',
  envPrefix: 'WAZO_PEM',
  consulPrefix: 'config/wazo-pem',
  configFile: '/nonexistent/config.yml',
  configDir: '/nonexistent/conf.d',
  settings: [
    {
      path: ['tls', 'certificate'],
      env: 'WAZO_PEM_TLS_CERTIFICATE',
      consulKey: 'config/wazo-pem/tls/certificate',
      types: ['string'],
      mutable: false,
      secret: true,
      pem: true,
    },
  ],
  validate: Object.assign(() => true, { errors: null }),
};

/**
 * `npm run build`, second step: bundles the compiled runtime (dist/generator/runtime/, from tsc)
 * into dist/runtime/, what `wazo-config/runtime` resolves to outside this repository. A service's
 * start-up pays per module (Node resolves, reads and links each of ~45 small files) and per byte
 * parsed, so the runtime ships as one module, minified (a quarter less text for V8 to parse at
 * every start; a source map points back to dist/generator/runtime/ and its names:
 * `node --enable-source-maps`). What a load may never need stays in chunks loaded on first use
 * (the Consul HTTP client). Dependencies stay imports of their packages. docs/benchmarks.md,
 * start-up, has the figures.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * `import { readFileSync } from 'node:fs'` makes Node build the module's ES facade, which reads
 * every export, lazy ones included: fs's stream classes load ~20 internal modules that a load
 * never uses. Each built-in is taken instead from `process.getBuiltinModule` (its CommonJS object,
 * lazy parts left lazy), exporting the names that are plain properties; a name that is not one
 * fails the build.
 */
const builtinsWithoutFacade = {
  name: 'builtins-without-facade',
  setup(bundle) {
    bundle.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'builtin' }));
    bundle.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
      const module = process.getBuiltinModule(args.path);
      const names = Object.keys(module).filter(
        (name) =>
          /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default' && !Object.getOwnPropertyDescriptor(module, name)?.get,
      );
      const contents =
        `const module = process.getBuiltinModule(${JSON.stringify(args.path)});\n` +
        `export default module;\nexport const { ${names.join(', ')} } = module;\n`;
      return { contents, loader: 'js' };
    });
  },
};

const outdir = join(root, 'dist/runtime');
// Chunk names carry a content hash: a stale chunk of an earlier build would otherwise be packed too.
rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: [join(root, 'dist/generator/runtime/index.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  minify: true,
  sourcemap: 'linked',
  sourcesContent: false,
  plugins: [builtinsWithoutFacade],
  logLevel: 'warning',
});

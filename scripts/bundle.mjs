#!/usr/bin/env node
/**
 * Bundles the CLI into dist/bundle/ (one ESM entry plus lazily loaded chunks) after `tsc`.
 * Why: a run's start was mostly module loading: ~250 files of dist/ plus zod's, yaml's and
 * commander's, each resolved, stat'ed and read. One bundle with split chunks starts a one-task
 * playbook in ~150 ms instead of ~250 ms. esbuild (already installed for tsx and vitest) is the
 * maintained bundler that does this in ~0.1 s. Packages with native parts or large lazy trees
 * stay external and load from node_modules when used: ssh2, @kubernetes/client-node, pino, ws.
 * bin/philote.js prefers dist/bundle/main.js, then dist/cli/main.js, then the sources via tsx.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * zod re-exports its 40 message locales as a namespace, so the bundler keeps all of them (a third
 * of the bundle's parse time at start); philote's messages are English and its own. Only `en`,
 * which zod configures by default, is kept.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${join('node_modules', 'zod')}`) ? { path: join(dirname(args.importer), '..', 'locales', 'index.js'), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), 'en.js'))};`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ssh2', 'cpu-features', '@kubernetes/client-node', 'pino', 'ws'],
  // CommonJS dependencies (yaml, commander) call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __philoteCreateRequire } from 'node:module'; const require = __philoteCreateRequire(import.meta.url);" },
  plugins: [zodEnglishOnly],
  logLevel: 'warning',
});

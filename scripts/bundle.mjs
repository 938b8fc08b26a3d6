#!/usr/bin/env node
/**
 * Bundles the CLI into dist/bundle/main.cjs after `tsc`, with a V8 code cache beside it.
 * Why: a run's start was mostly module loading and compiling. One file instead of ~250 files of
 * dist/ plus zod's, yaml's and commander's saves their resolution and reads; esbuild (already
 * installed for tsx and vitest) is the maintained bundler that does this in ~0.1 s.
 * Why CommonJS: Node 20 has no compile cache for ES modules (module.enableCompileCache is Node
 * 22), and compiling the bundle was the largest part of the start (~70 ms of a --syntax-check's
 * ~280 ms). A CommonJS file can be compiled through vm.Script with V8's cachedData, which skips
 * parsing and compiling whatever the cache holds. The cache is made here, once per build, by
 * running a small read-only playbook on the implicit localhost (scripts/code-cache-warmup.yml)
 * and saving the cache at its exit, so it holds the functions a run uses, not only the top level.
 * bin/philote.js loads it; a cache V8 rejects (another Node version) only costs the compile.
 * Dynamic import()s inside the sources stay lazy (esbuild wraps those modules in initialisers);
 * one of an external package would need a module loader vm.Script lacks, so the build refuses it.
 * Packages with native parts or large lazy trees stay external and load from node_modules when
 * used: cpu-features, @kubernetes/client-node, pino, ws (and ssh2's native binding, see below).
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
/**
 * ssh2 is bundled (its ~30 files were ~50 ms of loading and compiling in every run's first task),
 * but its optional native crypto binding is a .node file: it stays in node_modules, required by
 * its package path, and ssh2 falls back to its JavaScript code when it is missing, as before.
 */
const nativeFromNodeModules = {
  name: 'native-from-node-modules',
  setup(b) {
    b.onResolve({ filter: /\.node$/ }, (args) => {
      const abs = join(args.resolveDir, args.path);
      const at = abs.lastIndexOf(`${join('node_modules', '')}`);
      return at < 0 ? undefined : { path: abs.slice(at + 'node_modules/'.length), external: true };
    });
  },
};
const outdir = join(root, 'dist', 'bundle');
const outfile = join(outdir, 'main.cjs');
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['cpu-features', '@kubernetes/client-node', 'pino', 'ws'],
  // The sources are ES modules: import.meta.url is the bundle's own URL, as it was in dist/bundle.
  define: { 'import.meta.url': '__philoteBundleUrl' },
  banner: { js: "const __philoteBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [zodEnglishOnly, nativeFromNodeModules],
  logLevel: 'warning',
  metafile: true,
});
// bin/philote.js compiles the bundle with vm.Script, which has no loader for import() (only an
// experimental one that warns on use): a dynamic import left in the bundle would fail at run time.
const dynamic = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
if (dynamic.length) {
  console.error(`bundle: dynamic import() of ${dynamic.join(', ')} left in the bundle; require() external packages (see src/modules/k8s/client/client-node.ts)`);
  process.exit(1);
}

// The code cache: a warm-up run whose exit writes it (bin/philote.js, PHILOTE_CODE_CACHE_WRITE).
// Nothing here may fail the build: without a cache the bundle is compiled at each start instead.
const cache = `${outfile}.cache`;
const work = mkdtempSync(join(tmpdir(), 'philote-code-cache-'));
try {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'philote.js'), 'playbook', '--no-record', '-i', 'localhost,', join(root, 'scripts', 'code-cache-warmup.yml')], {
    cwd: work,
    env: { ...process.env, PHILOTE_CODE_CACHE_WRITE: cache, PHILOTE_FROM_SOURCE: '', ANSIBLE_CONFIG: '', HOME: work, ANSIBLE_NOCOLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  if (r.status !== 0 || !existsSync(cache)) {
    console.warn(`bundle: no code cache (the warm-up run ended with ${r.status ?? r.signal}): ${String(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
    rmSync(cache, { force: true });
  } else if (process.env.PHILOTE_BUNDLE_VERBOSE) console.log(`bundle: code cache ${statSync(cache).size} bytes`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

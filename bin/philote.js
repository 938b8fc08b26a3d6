#!/usr/bin/env node
// Entry point: the bundled CLI when built (fastest start, see scripts/bundle.mjs), else the
// compiled one, else the TypeScript sources through tsx. PHILOTE_FROM_SOURCE=1 forces the sources.
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The CommonJS bundle compiled with its V8 code cache (made at build time; V8 rejects a cache
 * from another Node version and compiles as usual). PHILOTE_CODE_CACHE_WRITE=<file> is the
 * build's warm-up: the cache is written there at exit, with every function the run compiled.
 */
function loadBundle(file) {
  const cacheFile = `${file}.cache`;
  const writeTo = process.env.PHILOTE_CODE_CACHE_WRITE;
  const cachedData = !writeTo && cacheFits(file, cacheFile) ? readFileSync(cacheFile) : undefined;
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;
  // No import() inside: scripts/bundle.mjs refuses a bundle with one.
  const script = new vm.Script(wrapper, { filename: file, cachedData });
  if (writeTo) {
    process.on('exit', () => {
      writeFileSync(`${writeTo}.tmp`, script.createCachedData());
      renameSync(`${writeTo}.tmp`, writeTo);
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

/**
 * V8 checks a cache against the source's length, not its text: a bundle changed after its cache
 * was made (by hand; the build writes the cache after the bundle) must not use it.
 */
function cacheFits(file, cacheFile) {
  try {
    return statSync(cacheFile).mtimeMs >= statSync(file).mtimeMs;
  } catch {
    return false;
  }
}

const bundle = join(root, 'dist', 'bundle', 'main.cjs');
const compiled = join(root, 'dist', 'cli', 'main.js');
if (!process.env.PHILOTE_FROM_SOURCE && existsSync(bundle)) {
  await loadBundle(bundle).main(process.argv);
} else if (!process.env.PHILOTE_FROM_SOURCE && existsSync(compiled)) {
  const { main } = await import(pathToFileURL(compiled).href);
  await main(process.argv);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
  await main(process.argv);
}

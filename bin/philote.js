#!/usr/bin/env node
// Entry point: run the compiled CLI when it exists (fast start), else the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'cli', 'main.js');
if (existsSync(compiled) && !process.env.PHILOTE_FROM_SOURCE) {
  const { main } = await import(pathToFileURL(compiled).href);
  await main(process.argv);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
  await main(process.argv);
}

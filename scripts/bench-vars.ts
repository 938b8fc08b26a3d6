/**
 * Controller-side micro-benchmark reported by `npm run bench` (scripts/bench.js): how long the
 * variable manager takes to build one host's task variables (100 play vars, 150 facts, two
 * block/task layers and a loop variable), in microseconds per host-task. A figure to watch, not a
 * pass/fail check (it used to be a test that could not fail). Runs without root or a lab.
 *
 *   node --import tsx scripts/bench-vars.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../src/inventory/index.js';
import type { Play } from '../src/playbook/types.js';
import { createTemplar } from '../src/template/index.js';
import { VariableManager, type PlayScope } from '../src/vars/manager.js';

async function measure(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'philote-bench-vars-'));
  try {
    const inv = join(dir, 'hosts.ini');
    writeFileSync(inv, '[web]\nh1 lvl=host\nh2\n[web:vars]\nlvl=web\n[all:vars]\nlvl=all\n');
    const inventory = await loadInventory([inv]);
    const vm = new VariableManager({ inventory, extraVars: {}, checkMode: false, diffMode: false, verbosity: 0, runTags: [], skipTags: [], templar: createTemplar() });
    const loc = { file: 'bench.yml', line: 1, column: 1 };
    const vars = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`v${i}`, i]));
    const play: Play = { kind: 'play', loc, name: 'bench', hosts: 'all', gather_facts: false, vars, vars_files: [], pre_tasks: [], roles: [], tasks: [], post_tasks: [], handlers: [], baseDir: dir };
    const scope: PlayScope = { play, hostsAll: ['h1', 'h2'], activeHosts: ['h1', 'h2'], batch: ['h1', 'h2'], varsFilesFor: () => ({}), roleNames: [] };
    vm.startPlay(scope);
    vm.setHostFacts('h1', Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`ansible_f${i}`, i])));
    const layers = [{ a: 1 }, { b: 2 }];
    const n = 5000;
    for (let i = 0; i < 500; i++) vm.getVars('h1', { varLayers: layers, loopVars: { item: i } });
    const t0 = performance.now();
    for (let i = 0; i < n; i++) vm.getVars('h1', { varLayers: layers, loopVars: { item: i } });
    return ((performance.now() - t0) / n) * 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`getVars: ${(await measure()).toFixed(1)} µs per host-task (100 play vars, 150 facts, 2 layers, a loop var)`);

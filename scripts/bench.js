#!/usr/bin/env node
/**
 * npm run bench: the workload (bench/node-prep.yml; --bench-dir picks another folder with a
 * fleet-basic.yml or node-prep.yml and its ansible.cfg) on lab fleets of 8, 32 and 200 nodes,
 * side by side: philote (persistent node shell, the default), philote with one exec per task
 * (node_shell off), ansible-playbook (pipelining + ControlPersist, same forks) and the raw
 * one-exec-per-task floor (one ssh2 connection per node running `true` once per task and loop
 * item; scripts/bench-floor.js), in the bench's own process and as a process of its own per run,
 * which pays Node's start as philote does. Prints medians, the ratios, philote's peak RSS, the cold (first) and idempotent
 * (second, changed=0) runs, and at the first size a file transfer: a 100 MB copy to every node
 * with philote against `scp` to the same nodes. Needs root (the lab). First, without a lab, the
 * variable manager's cost per host-task (scripts/bench-vars.ts). Reports, never asserts.
 *
 *   node scripts/bench.js [--sizes 8,32,200] [--reps 3] [--bench-dir DIR] [--no-ansible]
 *                         [--ansible-max N] [--ansible-reps N] [--no-copy] [--keep-lab] [--lab NAME]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { floorRun } from './bench-floor.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const o = { sizes: [8, 32, 200], reps: 3, benchDir: join(root, 'bench'), ansible: true, ansibleMax: Infinity, ansibleReps: Infinity, copy: true, keepLab: false, execsPerNode: 16, labName: `bench-${process.pid}` };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--sizes') o.sizes = next().split(',').map(Number).filter((n) => n > 0);
    else if (a === '--reps') o.reps = Math.max(1, Number(next()));
    else if (a === '--bench-dir') o.benchDir = resolve(next());
    else if (a === '--no-ansible') o.ansible = false;
    else if (a === '--ansible-max') o.ansibleMax = Number(next());
    else if (a === '--no-copy') o.copy = false;
    else if (a === '--ansible-reps') o.ansibleReps = Math.max(1, Number(next()));
    else if (a === '--keep-lab') o.keepLab = true;
    else if (a === '--lab') o.labName = next();
    else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/bench.js [--sizes 8,32,200] [--reps N] [--bench-dir DIR] [--no-ansible] [--ansible-max N] [--ansible-reps N] [--no-copy] [--keep-lab] [--lab NAME]');
      process.exit(0);
    } else {
      console.error(`bench: unknown option ${a}`);
      process.exit(5);
    }
  }
  return o;
}

/** The lab and ssh2 are TypeScript sources unless built: load them through tsx then. */
async function loadModules() {
  const built = join(root, 'dist', 'lab', 'index.js');
  if (existsSync(built)) return { lab: await import(pathToFileURL(built).href) };
  const { register } = await import('tsx/esm/api');
  register();
  return { lab: await import(pathToFileURL(join(root, 'src', 'lab', 'index.ts')).href) };
}

/** Runs a command; returns wall time, exit code, output and peak RSS (via /usr/bin/time when present). */
function timed(cmd, args, opts = {}) {
  const useTime = existsSync('/usr/bin/time');
  const argv = useTime ? ['/usr/bin/time', ['-f', 'PHILOTE_BENCH_MAXRSS=%M PHILOTE_BENCH_CPU=%U+%S', cmd, ...args]] : [cmd, args];
  return new Promise((resolvePromise) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv[1], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => resolvePromise({ ms: 0, rc: -1, out, err: String(e), rssMb: undefined }));
    child.on('close', (rc) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const m = /PHILOTE_BENCH_MAXRSS=(\d+) PHILOTE_BENCH_CPU=([\d.]+)\+([\d.]+)/.exec(err);
      resolvePromise({
        ms,
        rc,
        out,
        err: err.replace(/PHILOTE_BENCH_MAXRSS=.*\n?/, ''),
        rssMb: m ? Number(m[1]) / 1024 : undefined,
        // The process's own CPU (user + system): what the controller spent, against the wall time.
        cpuMs: m ? (Number(m[2]) + Number(m[3])) * 1000 : undefined,
      });
    });
  });
}

/** changed=N summed over the PLAY RECAP (ansible and philote print the same recap). */
function changedCount(out) {
  let sum = 0;
  let seen = false;
  for (const m of out.matchAll(/changed=(\d+)/g)) {
    sum += Number(m[1]);
    seen = true;
  }
  return seen ? sum : undefined;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const secs = (ms) => (ms === undefined || Number.isNaN(ms) ? '-' : `${(ms / 1000).toFixed(2)} s`);

/** Processes started on the whole machine so far (/proc/stat): forks per run, others' included. */
async function forksSoFar() {
  const { readFileSync } = await import('node:fs');
  const m = /^processes (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** Cold runs start clean: the workloads write under /tmp/bench or /tmp/philote-bench, in each node's own /tmp. */
async function cleanBenchOutput(lab) {
  if (lab) await Promise.all(lab.nodes.map((n) => lab.exec(n.name, 'rm -rf /tmp/bench /tmp/philote-bench')));
}

/** The floor as a process of its own per rep (scripts/bench-floor.js): it pays Node's start as philote does. */
async function floorProcessRun(lab, execsPerNode) {
  const spec = { user: lab.user, keyPath: lab.keyPath, ports: lab.nodes.map((n) => n.sshPort), execs: execsPerNode };
  const r = await timed(process.execPath, [join(root, 'scripts', 'bench-floor.js'), JSON.stringify(spec)]);
  if (r.rc !== 0) throw new Error(`the floor's own process failed (exit ${r.rc}): ${r.err.trim().slice(0, 300)}`);
  return r.ms;
}

/** Both workloads have 16 task executions per host (the floor's count). */
function workload(o) {
  return existsSync(join(o.benchDir, 'fleet-basic.yml')) ? 'fleet-basic.yml' : 'node-prep.yml';
}

async function philoteRun(inv, o, forks, env = {}, playbook = workload(o), cwd = o.benchDir) {
  const bin = join(root, 'bin', 'philote.js');
  // Not recorded: the record is for people's runs (and would fill ~/.philote/runs with bench runs).
  return timed(process.execPath, [bin, 'playbook', '--no-record', '-i', inv, '-f', String(forks), playbook], { cwd, env });
}

/** philote with one exec channel per task (the persistent node shell off). */
const EXEC_PER_TASK = { PHILOTE_NODE_SHELL: '0' };

async function ansibleRun(inv, o, forks) {
  return timed('ansible-playbook', ['-i', inv, '-f', String(forks), workload(o)], {
    cwd: o.benchDir,
    env: { ANSIBLE_CONFIG: join(o.benchDir, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1' },
  });
}

async function benchSize(mods, o, size) {
  console.log(`\n== ${size} nodes ==`);
  const lab = await mods.lab.createLab({ name: o.labName, nodes: size, calicoState: true });
  const inv = lab.inventoryPath;
  const forks = size;
  const row = { size, floor: [], floorProcess: [], forks: { floor: [], philote: [], execs: [] }, philote: { cold: [], warm: [], rss: [], cpu: [] }, execs: { cold: [], warm: [] }, ansible: { cold: [], warm: [] }, notes: [] };

  const perTask = (forks) => (forks / (size * o.execsPerNode)).toFixed(1);
  for (let r = 0; r < o.reps; r++) {
    const f0 = await forksSoFar();
    row.floor.push(await floorRun(lab, o.execsPerNode));
    row.forks.floor.push((await forksSoFar()) - f0);
  }
  console.log(`floor (ssh2, ${o.execsPerNode} x true per node): median ${secs(median(row.floor))}, ${perTask(median(row.forks.floor))} processes per host-task`);
  for (let r = 0; r < o.reps; r++) row.floorProcess.push(await floorProcessRun(lab, o.execsPerNode));
  console.log(`floor as a process of its own per run (Node's start, ssh2 loaded and compiled, as philote pays): median ${secs(median(row.floorProcess))}`);

  let philoteOk = existsSync(join(root, 'bin', 'philote.js'));
  if (!philoteOk) row.notes.push('philote: not runnable yet: bin/philote.js is missing');
  for (let r = 0; r < o.reps && philoteOk; r++) {
    await cleanBenchOutput(lab);
    const cold = await philoteRun(inv, o, forks);
    if (cold.rc !== 0) {
      philoteOk = false;
      const why = (cold.err.trim() || cold.out.trim()).split('\n').slice(-3).join(' | ');
      row.notes.push(`philote: not runnable yet: exit ${cold.rc}: ${why.slice(0, 400)}`);
      break;
    }
    const f0 = await forksSoFar();
    const warm = await philoteRun(inv, o, forks);
    row.forks.philote.push((await forksSoFar()) - f0);
    row.philote.cold.push(cold.ms);
    row.philote.warm.push(warm.ms);
    if (cold.rssMb) row.philote.rss.push(cold.rssMb, warm.rssMb ?? 0);
    if (warm.cpuMs !== undefined) row.philote.cpu.push(warm.cpuMs);
    const ch = changedCount(warm.out);
    if (ch !== 0) row.notes.push(`philote second run reported changed=${ch ?? '?'} (expected 0)`);
  }
  if (philoteOk) console.log(`philote: cold ${secs(median(row.philote.cold))}, idempotent ${secs(median(row.philote.warm))} (controller CPU ${secs(median(row.philote.cpu))}, ${perTask(median(row.forks.philote))} processes per host-task), peak RSS ${Math.max(...row.philote.rss, 0).toFixed(0)} MB`);
  // philote's fixed cost, which the in-process floor does not pay: start Node and the bundle,
  // read the inventory and the playbook, validate every task (--syntax-check: no connection).
  if (philoteOk) {
    const starts = [];
    for (let r = 0; r < o.reps; r++) starts.push((await timed(process.execPath, [join(root, 'bin', 'philote.js'), 'playbook', '-i', inv, '--syntax-check', workload(o)], { cwd: o.benchDir })).ms);
    row.startup = median(starts);
    console.log(`philote start-up (--syntax-check of the workload): ${secs(row.startup)}, ${((row.startup / median(row.philote.warm)) * 100).toFixed(0)}% of the idempotent run`);
  }

  // The same runs with one exec per task: what the node shell saves.
  for (let r = 0; r < o.reps && philoteOk; r++) {
    await cleanBenchOutput(lab);
    const cold = await philoteRun(inv, o, forks, EXEC_PER_TASK);
    const f0 = await forksSoFar();
    const warm = await philoteRun(inv, o, forks, EXEC_PER_TASK);
    row.forks.execs.push((await forksSoFar()) - f0);
    if (cold.rc !== 0 || warm.rc !== 0) {
      row.notes.push(`philote (one exec per task) failed: exit ${cold.rc}/${warm.rc}`);
      break;
    }
    row.execs.cold.push(cold.ms);
    row.execs.warm.push(warm.ms);
  }
  if (row.execs.cold.length) console.log(`philote, one exec per task: cold ${secs(median(row.execs.cold))}, idempotent ${secs(median(row.execs.warm))}, ${perTask(median(row.forks.execs))} processes per host-task`);

  if (o.copy && size === o.sizes[0]) row.copy = await copyCase(lab, o);

  if (o.ansible && size <= o.ansibleMax) {
    // Ansible is slow: fewer reps at 32 nodes keep the whole bench in minutes.
    const reps = Math.min(o.ansibleReps, size > 16 ? 1 : o.reps);
    for (let r = 0; r < reps; r++) {
      await cleanBenchOutput(lab);
      const cold = await ansibleRun(inv, o, forks);
      if (cold.rc !== 0) {
        row.notes.push(`ansible-playbook failed (exit ${cold.rc}): ${cold.out.split('\n').filter((l) => /fatal|ERROR/.test(l)).slice(0, 2).join(' | ').slice(0, 300)}`);
        break;
      }
      const warm = await ansibleRun(inv, o, forks);
      row.ansible.cold.push(cold.ms);
      row.ansible.warm.push(warm.ms);
    }
    console.log(`ansible-playbook (forks ${forks}): cold ${secs(median(row.ansible.cold))}, idempotent ${secs(median(row.ansible.warm))}`);
  }
  for (const n of row.notes) console.log(n);
  return row;
}

/**
 * The file-transfer case: a 100 MB file (random bytes) copied to every node of the lab by a
 * philote copy task, against `scp` to the same nodes at once (OpenSSH, the same key, each node's
 * own /tmp). The destination is removed before each run, so every run transfers the whole file.
 */
async function copyCase(lab, o) {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { randomBytes } = await import('node:crypto');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'philote-bench-copy-'));
  try {
    const big = join(dir, 'big.bin');
    const chunk = randomBytes(1024 * 1024);
    writeFileSync(big, Buffer.concat(Array.from({ length: 100 }, () => chunk)));
    writeFileSync(join(dir, 'copy.yml'), '- hosts: nodes\n  gather_facts: false\n  tasks:\n    - copy: { src: big.bin, dest: /tmp/philote-bench-big.bin, mode: "0644" }\n');
    const clean = () => Promise.all(lab.nodes.map((n) => lab.exec(n.name, 'rm -f /tmp/philote-bench-big.bin /tmp/scp-bench-big.bin')));
    const scpOne = (n) =>
      timed('scp', ['-q', '-i', lab.keyPath, '-P', String(n.sshPort), '-o', `UserKnownHostsFile=${lab.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', big, `${lab.user}@127.0.0.1:/tmp/scp-bench-big.bin`]);
    const res = { philote: [], scp: [], rss: [] };
    for (let r = 0; r < o.reps; r++) {
      await clean();
      const p = await philoteRun(lab.inventoryPath, o, lab.nodes.length, {}, 'copy.yml', dir);
      if (p.rc !== 0) {
        console.log(`copy: philote failed (exit ${p.rc}): ${p.out.split('\n').filter((l) => /fatal/.test(l)).slice(0, 1).join('').slice(0, 300)}`);
        return undefined;
      }
      res.philote.push(p.ms);
      if (p.rssMb) res.rss.push(p.rssMb);
      await clean();
      const t0 = process.hrtime.bigint();
      const all = await Promise.all(lab.nodes.map(scpOne));
      if (all.some((x) => x.rc !== 0)) {
        console.log(`copy: scp failed: ${all.find((x) => x.rc !== 0).err.trim().slice(0, 300)}`);
        return undefined;
      }
      res.scp.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    console.log(`copy 100 MB to ${lab.nodes.length} nodes: philote ${secs(median(res.philote))} (peak RSS ${Math.max(...res.rss, 0).toFixed(0)} MB), scp ${secs(median(res.scp))}, philote/scp ${(median(res.philote) / median(res.scp)).toFixed(2)}x`);
    await clean();
    return res;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(rows) {
  const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}x` : '-');
  console.log('\n| nodes | floor in-process / own process | philote cold / 2nd | one exec per task cold / 2nd | ansible cold / 2nd | ansible/philote (cold / 2nd) | philote/floor in-process (cold / 2nd) | philote/floor own process (cold / 2nd) | philote peak RSS |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const [pc, pw] = [median(r.philote.cold), median(r.philote.warm)];
    const [ac, aw] = [median(r.ansible.cold), median(r.ansible.warm)];
    const fl = median(r.floor);
    const fp = median(r.floorProcess);
    const rss = r.philote.rss.length ? `${Math.max(...r.philote.rss).toFixed(0)} MB` : '-';
    console.log(
      `| ${r.size} | ${secs(fl)} / ${secs(fp)} | ${secs(pc)} / ${secs(pw)} | ${secs(median(r.execs.cold))} / ${secs(median(r.execs.warm))} | ${secs(ac)} / ${secs(aw)} | ${ratio(ac, pc)} / ${ratio(aw, pw)} | ${ratio(pc, fl)} / ${ratio(pw, fl)} | ${ratio(pc, fp)} / ${ratio(pw, fp)} | ${rss} |`,
    );
  }
  const c = rows.find((r) => r.copy)?.copy;
  if (c) console.log(`\ncopy 100 MB to ${rows.find((r) => r.copy).size} nodes: philote ${secs(median(c.philote))}, scp ${secs(median(c.scp))}, philote/scp ${ratio(median(c.philote), median(c.scp))}`);
}

/** The controller-side figure of scripts/bench-vars.ts (no lab needed), printed first. */
async function varsFigure() {
  const r = await timed(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'bench-vars.ts')], { cwd: root });
  console.log(r.rc === 0 ? r.out.trim() : `getVars: not measured (exit ${r.rc}): ${r.err.trim().split('\n').pop()}`);
}

async function main() {
  const o = parseArgs(process.argv);
  await varsFigure();
  if (process.getuid?.() !== 0) {
    console.error('bench: needs root (the lab creates network namespaces)');
    process.exit(1);
  }
  if (!existsSync(join(o.benchDir, workload(o)))) {
    console.error(`bench: no fleet-basic.yml or node-prep.yml in ${o.benchDir} (use --bench-dir)`);
    process.exit(1);
  }
  console.log(`bench: ${join(o.benchDir, workload(o))}`);
  const mods = await loadModules();
  const rows = [];
  try {
    for (const size of o.sizes) rows.push(await benchSize(mods, o, size));
  } finally {
    if (!o.keepLab) await mods.lab.destroyLab(o.labName).catch(() => undefined);
  }
  table(rows);
}

main().catch((e) => {
  console.error(`bench: ${e?.stack ?? e}`);
  process.exit(1);
});

/**
 * Test helpers for node modules: run a module like the executor does (schema, then run) on a
 * real connection: LocalConnection for file work in temp dirs, NetnsConnection for anything that
 * touches iptables/ip/sysctl (a real sh inside a network namespace we create, never the host's).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../../src/connection/local.js';
import { shellQuote } from '../../../src/values/shell-quote.js';
import type { Connection, ExecOptions, ExecResult } from '../../../src/connection/types.js';
import { PhiloteError } from '../../../src/errors.js';
import type { AnyModuleDefinition, ModuleContext, ModuleResult } from '../../../src/modules/types.js';
import type { Templar } from '../../../src/template/types.js';

/** A real connection whose commands run inside network namespace `ns` (and its own mount view is the host's). */
export class NetnsConnection extends LocalConnection {
  constructor(readonly ns: string) {
    super(ns);
  }
  override exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return super.exec(`exec ip netns exec ${shellQuote(this.ns)} /bin/sh -c ${shellQuote(command)}`, options);
  }
}

export function createNetns(name: string): string {
  if (!name.startsWith('phl-mod-')) throw new Error('test namespaces must start with phl-mod-');
  spawnSync('ip', ['netns', 'del', name]);
  execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
  return name;
}

export function deleteNetns(name: string): void {
  if (!name.startsWith('phl-mod-')) return;
  spawnSync('ip', ['netns', 'del', name]);
}

export function nsExec(ns: string, cmd: string): string {
  return execFileSync('ip', ['netns', 'exec', ns, '/bin/sh', '-c', cmd], { encoding: 'utf8' });
}

export function tempDir(prefix = 'phl-mod-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunOptions {
  check?: boolean;
  diff?: boolean;
  conn?: Connection;
  vars?: Record<string, unknown>;
  templar?: Templar;
  findFile?: ModuleContext['findFile'];
  warnings?: string[];
}

/** Validate like the executor and run. Schema errors and module-args errors are thrown. */
export async function runModule(def: AnyModuleDefinition, args: Record<string, unknown>, o: RunOptions = {}): Promise<ModuleResult> {
  let parsed: unknown = args;
  if (def.schema) {
    const r = def.schema.safeParse(args);
    if (!r.success) throw new PhiloteError('module-args', `${def.name}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    parsed = r.data;
  }
  const conn = o.conn ?? new LocalConnection();
  const ctx: ModuleContext = {
    hostname: conn.host,
    args: parsed as Record<string, unknown>,
    vars: o.vars ?? {},
    checkMode: o.check ?? false,
    diffMode: o.diff ?? false,
    verbosity: 0,
    connection: async () => conn,
    templar: o.templar ?? (undefined as unknown as Templar),
    findFile: o.findFile ?? ((_k, name) => name),
    signal: new AbortController().signal,
    warn: (m) => o.warnings?.push(m),
  };
  return def.run(ctx);
}

/** Run ansible-playbook (connection local) with one play of `tasks`; returns the per-task results via the json callback. */
export function ansibleTasks(tasks: unknown[], o: { check?: boolean; diff?: boolean; ns?: string; dir?: string } = {}): Array<Record<string, unknown>> {
  const { dir, cleanup } = tempDir('phl-mod-ans-');
  try {
    const pb = join(dir, 'pb.yml');
    const play = [{ hosts: 'localhost', gather_facts: false, connection: 'local', tasks }];
    execFileSync('sh', ['-c', `cat > ${shellQuote(pb)}`], { input: JSON.stringify(play) });
    const argv = ['ansible-playbook', '-i', 'localhost,', pb, ...(o.check ? ['--check'] : []), ...(o.diff ? ['--diff'] : [])];
    const cmd = o.ns ? ['ip', 'netns', 'exec', o.ns, ...argv] : argv;
    const r = spawnSync(cmd[0]!, cmd.slice(1), {
      encoding: 'utf8',
      cwd: o.dir ?? dir,
      env: { ...process.env, ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_LOCALHOST_WARNING: 'false', ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3', ANSIBLE_NOCOLOR: '1' },
    });
    const out = JSON.parse(r.stdout) as { plays: Array<{ tasks: Array<{ hosts: Record<string, Record<string, unknown>> }> }> };
    return out.plays[0]!.tasks.map((t) => t.hosts['localhost']!);
  } finally {
    cleanup();
  }
}

import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { resolveModule } from '../../../src/modules/registry.js';

/** type/mode/content/link target of every path under dir, relative names: a comparable snapshot. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const p = join(dir, r);
      const st = lstatSync(p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[r] = `link ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${mode}`;
        walk(r);
      } else out[r] = `file ${mode} nlink=${st.nlink} ${JSON.stringify(readFileSync(p, 'utf8'))}`;
    }
  };
  walk('');
  return out;
}

export interface TwinTask {
  module: string;
  args: Record<string, unknown>;
}

/**
 * Differential run: the same tasks (built per dir) under ansible-playbook in twin dir A and
 * under philote in twin dir B, twice each. Returns the changed flags of both and the snapshots.
 */
export async function twinRun(
  setup: (dir: string) => void,
  tasks: (dir: string) => TwinTask[],
  o: { check?: boolean; runs?: number } = {},
): Promise<{ ans: boolean[][]; ours: boolean[][]; snapA: Record<string, string>; snapB: Record<string, string>; ansResults: Array<Record<string, unknown>>[]; ourResults: Array<Record<string, unknown>>[] }> {
  const A = tempDir('phl-mod-twinA-');
  const B = tempDir('phl-mod-twinB-');
  try {
    setup(A.dir);
    setup(B.dir);
    const runs = o.runs ?? 2;
    const ans: boolean[][] = [];
    const ours: boolean[][] = [];
    const ansResults: Array<Record<string, unknown>>[] = [];
    const ourResults: Array<Record<string, unknown>>[] = [];
    for (let i = 0; i < runs; i++) {
      const ar = ansibleTasks(tasks(A.dir).map((t) => ({ [t.module]: t.args, ignore_errors: true })), { check: o.check, dir: A.dir });
      ansResults.push(ar);
      ans.push(ar.map((r) => Boolean(r['changed'])));
      const or: Array<Record<string, unknown>> = [];
      for (const t of tasks(B.dir)) {
        const def = resolveModule(t.module)!;
        try {
          or.push(await runModule(def, t.args, { check: o.check, findFile: (_k, n) => (n.startsWith('/') ? n : join(B.dir, n)) }));
        } catch (e) {
          or.push({ failed: true, msg: String(e) });
        }
      }
      ourResults.push(or);
      ours.push(or.map((r) => Boolean(r['changed'])));
    }
    const norm = (s: Record<string, string>) => JSON.parse(JSON.stringify(s).split(A.dir).join('<D>').split(B.dir).join('<D>')) as Record<string, string>;
    return { ans, ours, snapA: norm(snapshot(A.dir)), snapB: norm(snapshot(B.dir)), ansResults, ourResults };
  } finally {
    A.cleanup();
    B.cleanup();
  }
}

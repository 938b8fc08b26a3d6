/**
 * Conformance on material we did not write: ansible-core's own integration targets
 * (ansible/ansible at v2.14.17, test/integration/targets), run under ansible-playbook and under
 * philote, as ansible-test runs them. A measurement, like the bench, not a CI test.
 *
 *   npm run conformance -- --ansible-src DIR [--kind role|runme|all] [--only a,b] [--timeout 300]
 *                          [--markdown docs/conformance.md] [--cache DIR]
 *
 * DIR is a checkout (or `git archive`) of ansible/ansible holding test/integration/targets.
 * - role targets (tasks/main.yml, no runme.sh) are applied as a role to `testhost`
 *   (ansible_connection=local) by a generated playbook, as ansible-test does;
 * - runme.sh targets run with a PATH where `ansible-playbook` is philote (`philote playbook`);
 *   `ansible`, `ansible-inventory`, `ansible-vault`... stay ansible-core's.
 * Targets are skipped when their aliases say they are destructive, unsupported, disabled, need a
 * cloud, Windows, network devices, an HTTP test server, a second machine or root-only setup.
 * Every run is fenced: a new network namespace (iptables and routes changed by a target stay in
 * it) and a private mount namespace where /etc is a throw-away copy, HOME a temp folder.
 * Ansible's results do not change between runs of philote: they are cached (--cache).
 * Prints a table: target, ansible, philote, first divergence (first task whose status differs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Options {
  src: string;
  kind: 'role' | 'runme' | 'all';
  only?: Set<string>;
  timeoutSec: number;
  markdown?: string;
  cache: string;
  verbose: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Partial<Options> & { kind: Options['kind'] } = { kind: 'all', timeoutSec: 300, cache: join(tmpdir(), 'philote-conformance-cache'), verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => argv[++i] ?? '';
    if (a === '--ansible-src') o.src = resolve(next());
    else if (a === '--kind') o.kind = next() as Options['kind'];
    else if (a === '--only') o.only = new Set(next().split(',').filter(Boolean));
    else if (a === '--timeout') o.timeoutSec = Number(next());
    else if (a === '--markdown') o.markdown = resolve(next());
    else if (a === '--cache') o.cache = resolve(next());
    else if (a === '-v') o.verbose = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (!o.src) throw new Error('usage: npm run conformance -- --ansible-src DIR [--kind role|runme|all] [--only a,b] [--markdown FILE]');
  return o as Options;
}

/** ansible-test aliases that keep a target off this machine (or out of philote's scope). */
const SKIP_ALIASES = /^(destructive|unsupported|disabled|hidden|cloud\/|windows|network|needs\/httptester|needs\/privileged|needs\/root|needs\/ssh|needs\/target\/setup_paramiko|context\/target|skip\/python3|skip\/docker|needs\/file\/)/;

interface Target {
  name: string;
  kind: 'role' | 'runme';
  skipped?: string;
}

function listTargets(o: Options): Target[] {
  const dir = join(o.src, 'test/integration/targets');
  const out: Target[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (/^(setup_|prepare_|ansible-test)/.test(name)) continue;
    if (o.only && !o.only.has(name)) continue;
    const t = join(dir, name);
    const kind = existsSync(join(t, 'runme.sh')) ? 'runme' : existsSync(join(t, 'tasks/main.yml')) ? 'role' : undefined;
    if (!kind || (o.kind !== 'all' && o.kind !== kind)) continue;
    const aliases = existsSync(join(t, 'aliases')) ? readFileSync(join(t, 'aliases'), 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean) : [];
    const bad = aliases.find((a) => SKIP_ALIASES.test(a) || /(^|\/)windows(\/|$)/.test(a));
    // Targets that bring their own Python plugins test ansible-core's plugin loader, not playbook
    // semantics: philote runs no Python on the controller, so they are out of scope.
    const plugins = ['library', 'lookup_plugins', 'filter_plugins', 'test_plugins', 'action_plugins', 'module_utils', 'callback_plugins', 'vars_plugins', 'connection_plugins']
      .filter((d) => existsSync(join(t, d)));
    const skipped = bad ?? (plugins.length ? `own Python plugins: ${plugins.join(', ')}` : undefined);
    out.push({ name, kind, ...(skipped ? { skipped } : {}) });
  }
  return out;
}

interface RunResult {
  code: number | 'timeout';
  out: string;
  seconds: number;
}

/** The integration tree copied once per tool (runme targets write into their own folder). */
function workspace(o: Options, tool: string): string {
  const ws = mkdtempSync(join(tmpdir(), `philote-conf-${tool}-`));
  cpSync(join(o.src, 'test/integration'), join(ws, 'integration'), { recursive: true });
  writeFileSync(
    join(ws, 'integration', 'inventory'),
    '[testgroup]\ntesthost ansible_connection=local ansible_pipelining=yes ansible_python_interpreter=/usr/bin/python3\n',
  );
  writeFileSync(join(ws, 'integration', 'ansible.cfg'), '[defaults]\nretry_files_enabled = False\nhost_key_checking = False\n');
  const bin = join(ws, 'bin');
  mkdirSync(bin);
  if (tool === 'philote') {
    // The sources, not a possibly stale dist/ bundle: this measures the working tree.
    writeFileSync(join(bin, 'ansible-playbook'), `#!/bin/sh\nPHILOTE_FROM_SOURCE=1 exec "${process.execPath}" "${root}bin/philote.js" playbook "$@"\n`, { mode: 0o755 });
  }
  return ws;
}

/**
 * Runs a command fenced off from the machine: its own network namespace (loopback only) and a
 * mount namespace where /etc is a copy, so a target's iptables rules, routes, users or groups
 * never reach the machine itself.
 */
function fenced(cmd: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutSec: number): Promise<RunResult> {
  const etc = mkdtempSync(join(tmpdir(), 'philote-conf-etc-'));
  const script = `set -e; cp -a /etc/. "${etc}/"; mount --bind "${etc}" /etc; ip link set lo up; exec "$@"`;
  const start = Date.now();
  return new Promise((done) => {
    const child = spawn('unshare', ['--net', '--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'fence', ...cmd], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutSec * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(etc, { recursive: true, force: true });
      done({ code: timedOut ? 'timeout' : (code ?? 1), out, seconds: (Date.now() - start) / 1000 });
    });
  });
}

async function runTarget(t: Target, ws: string, o: Options): Promise<RunResult> {
  const integ = join(ws, 'integration');
  const targets = join(integ, 'targets');
  const outputDir = mkdtempSync(join(tmpdir(), `philote-conf-out-${t.name}-`));
  const home = mkdtempSync(join(tmpdir(), 'philote-conf-home-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(ws, 'bin')}:${process.env['PATH']}`,
    HOME: home,
    ANSIBLE_CONFIG: join(integ, 'ansible.cfg'),
    ANSIBLE_ROLES_PATH: targets,
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: 'false',
    ANSIBLE_DEPRECATION_WARNINGS: 'false',
    ANSIBLE_PLAYBOOK_DIR: integ,
    OUTPUT_DIR: outputDir,
    INVENTORY_PATH: join(integ, 'inventory'),
    ANSIBLE_TEST_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_TEST_PYTHON_VERSION: '3.11',
    PYTHONDONTWRITEBYTECODE: '1',
    // Hundreds of measurement runs: keep no run record in the user's home.
    PHILOTE_RECORD: '0',
  };
  try {
    if (t.kind === 'runme') {
      return await fenced(['bash', './runme.sh', ...(o.verbose ? ['-v'] : [])], join(targets, t.name), env, o.timeoutSec);
    }
    const aliases = existsSync(join(targets, t.name, 'aliases')) ? readFileSync(join(targets, t.name, 'aliases'), 'utf8') : '';
    const gather = !/gather_facts\/no\//.test(aliases);
    const play = [{ hosts: 'testhost', gather_facts: gather, vars: { output_dir: outputDir }, roles: [t.name] }];
    const playbook = join(integ, `conformance-${t.name}.yml`);
    writeFileSync(playbook, JSON.stringify(play, null, 2));
    return await fenced(['ansible-playbook', playbook, '-i', join(integ, 'inventory')], integ, env, o.timeoutSec);
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

/** Each task's status per host, in order: what "first divergence" compares. */
function taskStatuses(out: string): Array<{ task: string; status: string; detail: string }> {
  const rows: Array<{ task: string; status: string; detail: string }> = [];
  let task = '';
  for (const line of out.split('\n')) {
    const t = /^(?:TASK|RUNNING HANDLER) \[(.*)\] \*+$/.exec(line);
    if (t) {
      task = t[1]!;
      continue;
    }
    const s = /^(ok|changed|failed|fatal|skipping|included|unreachable): \[[^\]]+\]( => \(item=.*?\))?(.*)$/.exec(line);
    if (s) {
      const msg = /"msg": "((?:[^"\\]|\\.)*)"/.exec(s[3] ?? '')?.[1] ?? (s[3] ?? '').trim();
      rows.push({ task, status: s[1] === 'fatal' ? 'failed' : s[1]!, detail: msg.slice(0, 160) });
    }
  }
  return rows;
}

function firstDivergence(ansible: RunResult, philote: RunResult): string {
  const a = taskStatuses(ansible.out);
  const p = taskStatuses(philote.out);
  for (let i = 0; i < Math.max(a.length, p.length); i++) {
    const x = a[i];
    const y = p[i];
    if (x && y && x.task === y.task && x.status === y.status) continue;
    if (!y) {
      const tail = philote.out.trim().split('\n').filter((l) => /ERROR|error|Error/.test(l)).slice(-1)[0] ?? philote.out.trim().split('\n').slice(-1)[0] ?? '';
      return `philote stopped before TASK [${x?.task}]: ${tail.slice(0, 200)}`;
    }
    if (!x) return `philote ran more: TASK [${y.task}] ${y.status}`;
    return `TASK [${x.task}]: ansible ${x.status}, philote ${y.task === x.task ? '' : `TASK [${y.task}] `}${y.status}${y.detail ? `: ${y.detail}` : ''}`;
  }
  if (ansible.code !== philote.code) return `same tasks, exit ${ansible.code} vs ${philote.code}: ${philote.out.trim().split('\n').slice(-1)[0]?.slice(0, 200) ?? ''}`;
  return '';
}

function verdict(r: RunResult | undefined): string {
  if (!r) return '-';
  return r.code === 0 ? 'pass' : r.code === 'timeout' ? 'timeout' : `fail (${r.code})`;
}

function cached(o: Options, t: Target): RunResult | undefined {
  const f = join(o.cache, `${t.name}.json`);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as RunResult) : undefined;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (spawnSync('unshare', ['--net', '--mount', 'true']).status !== 0) throw new Error('the fence needs root (unshare --net --mount)');
  mkdirSync(o.cache, { recursive: true });
  const targets = listTargets(o);
  const wsAnsible = workspace(o, 'ansible');
  const wsPhilote = workspace(o, 'philote');
  const rows: Array<[Target, RunResult | undefined, RunResult | undefined, string]> = [];
  try {
    for (const t of targets) {
      if (t.skipped) {
        rows.push([t, undefined, undefined, `skipped (${t.skipped})`]);
        continue;
      }
      let a = cached(o, t);
      if (!a) {
        a = await runTarget(t, wsAnsible, o);
        writeFileSync(join(o.cache, `${t.name}.json`), JSON.stringify(a));
      }
      const p = await runTarget(t, wsPhilote, o);
      // Kept next to ansible's cached run, to read where philote went another way.
      writeFileSync(join(o.cache, `${t.name}.philote.txt`), p.out);
      const div = a.code === 0 && p.code === 0 ? '' : firstDivergence(a, p);
      rows.push([t, a, p, div]);
      process.stderr.write(`${t.kind.padEnd(5)} ${t.name.padEnd(40)} ansible ${verdict(a).padEnd(9)} philote ${verdict(p).padEnd(9)} ${a.seconds.toFixed(0)}s/${p.seconds.toFixed(0)}s ${div.slice(0, 140)}\n`);
      if (o.verbose && p.code !== 0) process.stderr.write(p.out.split('\n').slice(-40).join('\n') + '\n');
    }
  } finally {
    rmSync(wsAnsible, { recursive: true, force: true });
    rmSync(wsPhilote, { recursive: true, force: true });
  }
  const ran = rows.filter(([t]) => !t.skipped);
  const count = (kind: string, pred: (a?: RunResult, p?: RunResult) => boolean) => ran.filter(([t, a, p]) => t.kind === kind && pred(a, p)).length;
  const lines: string[] = [];
  for (const kind of ['role', 'runme']) {
    const n = ran.filter(([t]) => t.kind === kind).length;
    if (!n) continue;
    lines.push(
      `- ${kind} targets run: ${n}; pass under ansible-playbook: ${count(kind, (a) => a?.code === 0)}; under philote: ${count(kind, (_a, p) => p?.code === 0)}; ` +
        `pass under both: ${count(kind, (a, p) => a?.code === 0 && p?.code === 0)}; ansible passes and philote fails: ${count(kind, (a, p) => a?.code === 0 && p?.code !== 0)}`,
    );
  }
  lines.push('', '| target | kind | ansible | philote | first divergence |', '|---|---|---|---|---|');
  for (const [t, a, p, div] of rows) lines.push(`| ${t.name} | ${t.kind} | ${verdict(a)} | ${verdict(p)} | ${div.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
  const table = lines.join('\n');
  console.log(table);
  if (o.markdown) {
    const head = existsSync(o.markdown) ? readFileSync(o.markdown, 'utf8').split('<!-- table -->')[0]! : '# Conformance\n\n';
    writeFileSync(o.markdown, `${head}<!-- table -->\n${table}\n`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(2);
});

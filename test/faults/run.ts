/**
 * Helpers of the fault suite: philote as a real child process (so a crash is a crash, and the
 * time it takes to exit after the recap is measured), inventories for lab nodes, and `ps`
 * snapshots of every process on the machine (the lab nodes' processes included).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../../src/lab/index.js';

const ROOT = join(import.meta.dirname, '..', '..');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  /** ms from the "PLAY RECAP" line to the process's exit (undefined without a recap). */
  afterRecapMs?: number;
}

export interface Running {
  child: ChildProcess;
  out(): string;
  /** Resolves once stdout matches `re` (rejects after timeoutMs). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<Finished>;
}

/** Runs `node bin/philote.js ARGS` from sources; with `netns`, inside that network namespace. */
export function startPhilote(args: string[], opts: { cwd: string; env?: Record<string, string>; netns?: string }): Running {
  const argv = [process.execPath, join(ROOT, 'bin', 'philote.js'), ...args];
  return start(opts.netns ? ['ip', 'netns', 'exec', opts.netns, ...argv] : argv, opts.cwd, { PHILOTE_FROM_SOURCE: '1', NO_COLOR: '1', PHILOTE_RECORD: '0', ...opts.env });
}

/** Runs Debian's ansible-playbook 2.14 (the oracle), its output streamed as it prints it. */
export function startAnsible(args: string[], opts: { cwd: string }): Running {
  return start(['/usr/bin/ansible-playbook', ...args], opts.cwd, { ANSIBLE_NOCOLOR: '1', PYTHONUNBUFFERED: '1', ANSIBLE_SSH_RETRIES: '0' });
}

function start(argv: string[], cwd: string, env: Record<string, string>): Running {
  const [cmd, ...rest] = argv;
  const child = spawn(cmd!, rest, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let recapAt: number | undefined;
  const waiters: Array<{ re: RegExp; resolve: () => void }> = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (recapAt === undefined && out.includes('PLAY RECAP')) recapAt = Date.now();
    for (const w of [...waiters]) if (w.re.test(out)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<Finished>((resolve) => {
    child.on('exit', (code, signal) => {
      const end = Date.now();
      // Let the pipes drain.
      setTimeout(() => resolve({ code, signal, out, err, ...(recapAt !== undefined ? { afterRecapMs: end - recapAt } : {}) }), 50);
    });
  });
  return {
    child,
    out: () => out,
    waitFor(re, timeoutMs = 60000) {
      if (re.test(out)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`philote output never matched ${re} within ${timeoutMs} ms:\n${out}\n${err}`)), timeoutMs);
        waiters.push({ re, resolve: () => (clearTimeout(t), resolve()) });
      });
    },
    done,
  };
}

/** An inventory of lab nodes (name -> extra host vars), as `philote lab inventory` writes it. */
export function labInventory(lab: Lab, hosts: Record<string, string>, groupVars: string[] = []): string {
  const lines = ['[nodes]'];
  for (const [name, extra] of Object.entries(hosts)) {
    const n = lab.nodes.find((x) => x.name === name)!;
    lines.push(`${name} ansible_host=127.0.0.1 ansible_port=${n.sshPort} ${extra}`.trim());
  }
  lines.push(
    '',
    '[nodes:vars]',
    `ansible_user=${lab.user}`,
    `ansible_ssh_private_key_file=${lab.keyPath}`,
    `ansible_ssh_common_args='-o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes -o ServerAliveInterval=1 -o ServerAliveCountMax=2'`,
    'ansible_python_interpreter=/usr/bin/python3',
    ...groupVars,
    '',
  );
  return lines.join('\n');
}

/** Command lines of every process on the machine now (pid -> argv joined by spaces). */
export function psSnapshot(): Map<number, string> {
  const snap = new Map<number, string>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cmd) snap.set(Number(e), cmd);
    } catch {
      /* gone meanwhile */
    }
  }
  return snap;
}

/** Takes ps snapshots every `everyMs` until stop() is called; returns every distinct command line seen. */
export function watchProcesses(everyMs = 25): { stop(): Set<string> } {
  const seen = new Set<string>();
  const timer = setInterval(() => {
    for (const cmd of psSnapshot().values()) seen.add(cmd);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return seen;
    },
  };
}

/** The UNREACHABLE line of a host in the default callback's output. */
export function unreachableLine(out: string, host: string): string | undefined {
  return out.split('\n').find((l) => l.startsWith(`fatal: [${host}]: UNREACHABLE!`));
}

/** The recap line of a host, with spaces collapsed. */
export function recapLine(out: string, host: string): string | undefined {
  const at = out.indexOf('PLAY RECAP');
  return out
    .slice(at)
    .split('\n')
    .find((l) => l.startsWith(`${host} `))
    ?.replace(/\s+/g, ' ')
    .trim();
}

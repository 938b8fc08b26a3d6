// Shared helpers for the simulator's tests: start a simulator in a temp dir, run kubectl and
// ansible-playbook against the kubeconfig it wrote there (never ~/.kube/config), poll.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startKubeSim, type KubeSim, type KubeSimOptions } from '../../../src/lab/kube-sim/index.js';
import { tempDir } from '../../helpers/temp-dir.js';

const run = promisify(execFile);

export async function startSim(opts: Partial<KubeSimOptions> = {}): Promise<KubeSim & { dir: string }> {
  const dir = tempDir('philote-kube-sim-test-');
  const sim = await startKubeSim({ dir, nodes: 3, podStartDelayMs: 100, tickMs: 50, ...opts });
  return Object.assign(sim, { dir });
}

export interface CmdResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl with KUBECONFIG pointing at the simulator's kubeconfig; never throws. */
export async function kubectl(sim: { kubeconfigPath: string; dir: string }, args: string[], input?: string): Promise<CmdResult> {
  return cmd('kubectl', args, sim, input);
}

export async function cmd(bin: string, args: string[], sim: { kubeconfigPath: string; dir: string }, input?: string, env: Record<string, string> = {}): Promise<CmdResult> {
  const e = { ...process.env, KUBECONFIG: sim.kubeconfigPath, HOME: sim.dir, ...env };
  if (input !== undefined) {
    return new Promise((resolve) => {
      const child = execFile(bin, args, { env: e, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
      child.stdin!.end(input);
    });
  }
  try {
    const { stdout, stderr } = await run(bin, args, { env: e, timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const x = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

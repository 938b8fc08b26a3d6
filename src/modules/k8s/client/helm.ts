/**
 * Running the `helm` binary on the controller for the helm modules: no shell (argv arrays),
 * the environment kubernetes.core's AnsibleHelmModule prepares (HELM_KUBECONTEXT,
 * HELM_NAMESPACE, HELM_KUBETOKEN, HELM_KUBEAPISERVER, HELM_KUBECAFILE,
 * HELM_KUBEINSECURE_SKIP_TLS_VERIFY, KUBECONFIG), and its failure message.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { PhiloteError } from '../../../errors.js';
import { bool } from './common.js';

/** kubernetes.core's HELM_AUTH_ARG_SPEC (with K8S_AUTH_* fallbacks) and binary_path. */
export const helmAuthFields = {
  binary_path: z.string().optional(),
  kubeconfig: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  kubeconfig_path: z.string().optional(),
  context: z.string().optional(),
  kube_context: z.string().optional(),
  host: z.string().optional(),
  kube_apiserver: z.string().optional(),
  api_key: z.string().optional(),
  kube_token: z.string().optional(),
  validate_certs: bool.optional(),
  kube_verify_ssl: bool.optional(),
  ca_cert: z.string().optional(),
  kube_ca_cert: z.string().optional(),
};

export type HelmAuthArgs = { [K in keyof typeof helmAuthFields]?: z.infer<(typeof helmAuthFields)[K]> };

export interface HelmRun {
  rc: number;
  stdout: string;
  stderr: string;
}

export class Helm {
  readonly bin: string;
  readonly env: Record<string, string>;
  private readonly tmp: string;

  constructor(args: HelmAuthArgs & { release_namespace?: string }, taskEnv: Record<string, string> | undefined) {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...(taskEnv ?? {}) })) if (v !== undefined) env[k] = v;
    this.tmp = mkdtempSync(join(tmpdir(), 'philote-helm-'));
    this.bin = findHelm(args.binary_path, env['PATH'] ?? '');
    const pick = (...vals: Array<string | undefined>) => vals.find((v) => v !== undefined && v !== '');
    const context = pick(args.context, args.kube_context, env['K8S_AUTH_CONTEXT']);
    const host = pick(args.host, args.kube_apiserver, env['K8S_AUTH_HOST']);
    const token = pick(args.api_key, args.kube_token, env['K8S_AUTH_API_KEY']);
    const ca = pick(args.ca_cert, args.kube_ca_cert, env['K8S_AUTH_SSL_CA_CERT']);
    // kubernetes.core's own rule for K8S_AUTH_VERIFY_SSL (not Ansible's boolean()): only 0/false/no are false.
    const verify = args.validate_certs ?? args.kube_verify_ssl ?? (env['K8S_AUTH_VERIFY_SSL'] !== undefined ? !['0', 'false', 'no'].includes(env['K8S_AUTH_VERIFY_SSL'].toLowerCase()) : undefined);
    if (context) env['HELM_KUBECONTEXT'] = context;
    if (args.release_namespace) env['HELM_NAMESPACE'] = args.release_namespace;
    if (token) env['HELM_KUBETOKEN'] = token;
    if (host) env['HELM_KUBEAPISERVER'] = host;
    if (ca) env['HELM_KUBECAFILE'] = ca;
    if (verify === false) env['HELM_KUBEINSECURE_SKIP_TLS_VERIFY'] = 'true';
    const kc = args.kubeconfig ?? args.kubeconfig_path ?? env['K8S_AUTH_KUBECONFIG'];
    if (kc && typeof kc === 'object') {
      const p = join(this.tmp, 'kubeconfig');
      writeFileSync(p, JSON.stringify(kc), { mode: 0o600 });
      env['KUBECONFIG'] = p;
    } else if (kc) env['KUBECONFIG'] = kc;
    this.env = env;
  }

  /** A temp file (0600) removed by cleanup(). */
  tempFile(name: string, text: string): string {
    const p = join(this.tmp, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  }

  cleanup(): void {
    rmSync(this.tmp, { recursive: true, force: true });
  }

  run(args: string[], signal?: AbortSignal): Promise<HelmRun> {
    return new Promise((resolve, reject) => {
      execFile(this.bin, args, { env: this.env, maxBuffer: 256 * 1024 * 1024, signal }, (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'EACCES') return reject(new PhiloteError('kube', `cannot run helm at ${this.bin}: ${code}`));
          if (code === 'ABORT_ERR') return reject(new PhiloteError('kube', 'helm was stopped (task timeout or interrupt)'));
        }
        const rc = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
        resolve({ rc, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  }

  /** Run and fail the task (as kubernetes.core) on a non-zero exit. */
  async must(args: string[], signal?: AbortSignal): Promise<HelmRun> {
    const r = await this.run(args, signal);
    if (r.rc !== 0) throw new HelmCommandError(r, this.commandLine(args));
    return r;
  }

  commandLine(args: string[]): string {
    return [this.bin, ...args].join(' ');
  }
}

export class HelmCommandError extends PhiloteError {
  readonly run: HelmRun;
  readonly command: string;
  constructor(run: HelmRun, command: string) {
    super('kube', `Failure when executing Helm command. Exited ${run.rc}.\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    this.run = run;
    this.command = command;
  }
}

function findHelm(binaryPath: string | undefined, path: string): string {
  if (binaryPath) {
    if (!isExecutable(binaryPath)) throw new PhiloteError('kube', `helm binary_path ${binaryPath} is not an executable file`);
    return binaryPath;
  }
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const p = join(dir, 'helm');
    if (isAbsolute(p) && isExecutable(p)) return p;
  }
  throw new PhiloteError('kube', `Failed to find required executable "helm" in paths: ${path}; install helm on the controller or set binary_path`);
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * k8s_exec (kubernetes.core.k8s_exec): run a command in a pod's container, through the API
 * server's pods/exec WebSocket.
 *
 * Arguments (kubernetes.core 2.4):
 *   namespace (required), pod (required)
 *   container  default: the pod's first container, as kubectl
 *   command    (required) one string, split with Python's shlex rules (no shell: write
 *              `sh -c '...'` for pipes and redirections)   `command: sh -c 'echo a; exit 3'`
 *   kubeconfig, context, host, api_key, proxy ... (see client/auth.ts)
 * Returns: stdout, stdout_lines, stderr, stderr_lines, rc, and return_code (kubernetes.core's
 * deprecated twin of rc, returned with the same deprecation warning).
 *
 * As kubernetes.core 2.4 does (its k8s_exec.py is the reference):
 *  - changed is always true (a command may change anything);
 *  - a non-zero rc fails the task with the whole result (stdout, stderr, rc): the module itself
 *    exits normally, but ansible-core's task executor marks any result whose rc is not 0 as
 *    failed, so `ignore_errors`/`failed_when` decide (its own example registers and ignores);
 *  - check mode: kubernetes.core runs the command anyway (it declares check mode support without a
 *    dry-run path). philote does not, on purpose: a check-mode run changes nothing, and a command
 *    in a pod can change anything. The task is skipped with a message saying so, as command does;
 *    `check_mode: false` on the task runs it (README, "How philote differs from Ansible on purpose");
 *  - a pod, container or connection error fails with "Failed to execute on pod P due to : ...".
 *    There philote says more on purpose: kubernetes.core's websocket client drops the refused
 *    handshake's body ("(0)\nReason: Handshake status 404 Not Found\n"), philote keeps the
 *    server's Status message ('Handshake status 404 Not Found: pods "x" not found').
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import { shlexSplit } from '../../values/shlex.js';
import { PhiloteError } from '../../errors.js';
import type { ModuleDefinition, ModuleResult } from '../types.js';
import { authFields, clientFor } from './client/common.js';
import type { KubeClient } from './client/client.js';

const schema = z
  .object({
    ...authFields,
    namespace: z.string(),
    pod: z.string(),
    container: z.string().nullish(),
    command: z.string(),
  })
  .strict();

type Args = z.infer<typeof schema>;

/** Subprotocols offered, best first (v5 adds the stdin close frame, unused here). */
const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export interface ExecOutput {
  stdout: string;
  stderr: string;
  /** The metav1.Status of channel 3 (undefined if the server sent none). */
  status?: { status?: string; message?: string; reason?: string; details?: { causes?: Array<{ reason?: string; message?: string }> } };
}

/** Open pods/exec, collect stdout/stderr until the server closes, return them with the Status. */
export async function execInPod(client: KubeClient, namespace: string, pod: string, container: string | undefined, command: string[], signal?: AbortSignal): Promise<ExecOutput> {
  // ws is CommonJS: required, not import()ed, so the bundle holds no dynamic import (bin/philote.js).
  const { WebSocket } = createRequire(import.meta.url)('ws') as typeof import('ws');
  const url = new URL(`${client.server}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/exec`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const c of command) url.searchParams.append('command', c);
  if (container) url.searchParams.set('container', container);
  for (const [k, v] of Object.entries({ stdin: 'false', stdout: 'true', stderr: 'true', tty: 'false' })) url.searchParams.set(k, v);
  // Headers (bearer token, impersonation), CA, client certificate and the proxy agent.
  const opts: Record<string, any> = {};
  await client.kc.applyToHTTPSOptions(opts);
  return new Promise<ExecOutput>((resolve, reject) => {
    const ws = new WebSocket(url, PROTOCOLS, { ...opts, perMessageDeflate: false, handshakeTimeout: 30_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let status = '';
    const abort = (): void => ws.terminate();
    signal?.addEventListener('abort', abort, { once: true });
    ws.on('unexpected-response', (_req, res) => {
      // The handshake was refused: the body is the server's Status (pod not found, bad container...).
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let message = body.trim();
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? message;
        } catch {
          /* not a Status */
        }
        reject(new Error(`Handshake status ${res.statusCode} ${res.statusMessage ?? ''}: ${message}`.replace(/ +:/, ':')));
        ws.terminate();
      });
    });
    ws.on('error', (e) => reject(e));
    ws.on('message', (data: Buffer, isBinary) => {
      const buf = isBinary ? data : Buffer.from(data.toString(), 'utf8');
      if (buf.length < 2) return;
      const channel = buf[0];
      if (channel === 1) out.push(buf.subarray(1));
      else if (channel === 2) err.push(buf.subarray(1));
      else if (channel === 3) status += buf.subarray(1).toString('utf8');
    });
    ws.on('close', () => {
      signal?.removeEventListener('abort', abort);
      if (signal?.aborted) return reject(new Error('interrupted'));
      let parsed: ExecOutput['status'];
      try {
        parsed = status ? (JSON.parse(status) as ExecOutput['status']) : undefined;
      } catch {
        parsed = { status: 'Failure', message: status };
      }
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ...(parsed ? { status: parsed } : {}) });
    });
  });
}

/** The exit code in a v4 Status: 0 on Success, details.causes[ExitCode] otherwise. */
export function exitCodeOf(status: ExecOutput['status']): number | undefined {
  if (!status || status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode') ?? status.details?.causes?.[0];
  const rc = Number(cause?.message);
  return Number.isInteger(rc) ? rc : undefined;
}

/** Python's str.splitlines() for the *_lines keys Ansible adds to results. */
const splitLines = (s: string): string[] => s.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/).filter((l, i, all) => !(i === all.length - 1 && l === ''));

const DEPRECATION =
  "The 'return_code' return key is being renamed to 'rc'. Both keys are being returned for now to allow users to migrate their automation. " +
  'This feature will be removed from kubernetes.core in version 4.0.0. Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg.';

export const k8sExecModule: ModuleDefinition<Args> = {
  name: 'k8s_exec',
  aliases: ['kubernetes.core.k8s_exec', 'community.kubernetes.k8s_exec'],
  runsOn: 'controller',
  schema,
  async run(ctx) {
    const a = ctx.args;
    let command: string[];
    try {
      command = shlexSplit(a.command);
    } catch (e) {
      throw new PhiloteError('module-args', `Failed to execute on pod ${a.pod} due to : ${(e as Error).message}`);
    }
    if (ctx.checkMode) {
      return { changed: false, skipped: true, msg: 'k8s_exec would have run the command if not in check mode (philote does not run it in check mode; check_mode: false on the task runs it)' };
    }
    const client = clientFor(ctx);
    let container = a.container ?? undefined;
    if (!container) {
      // kubernetes.core reads the pod for its first container and ignores a failed read: the
      // exec request then reports the missing pod.
      try {
        const pod = await client.request<{ spec?: { containers?: Array<{ name: string }> } }>('GET', `/api/v1/namespaces/${encodeURIComponent(a.namespace)}/pods/${encodeURIComponent(a.pod)}`, { verb: 'get', resource: 'pods', name: a.pod, namespace: a.namespace });
        container = pod.spec?.containers?.[0]?.name;
      } catch {
        /* reported by the exec below */
      }
    }
    let r: ExecOutput;
    try {
      r = await execInPod(client, a.namespace, a.pod, container, command, ctx.signal);
    } catch (e) {
      throw new PhiloteError('kube', `Failed to execute on pod ${a.pod} due to : ${(e as Error).message}`);
    }
    const rc = exitCodeOf(r.status);
    if (rc === undefined) throw new PhiloteError('kube', `Failed to execute on pod ${a.pod} due to : ${r.status?.message ?? 'no exit status from the API server'}`);
    const result: ModuleResult = {
      changed: true,
      failed: rc !== 0,
      stdout: r.stdout,
      stderr: r.stderr,
      rc,
      return_code: rc,
      stdout_lines: splitLines(r.stdout),
      stderr_lines: splitLines(r.stderr),
      deprecations: [{ msg: DEPRECATION, version: '4.0.0', collection_name: 'kubernetes.core' }],
    };
    return result;
  },
};

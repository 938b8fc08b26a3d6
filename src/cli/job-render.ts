/**
 * `philote job render`: a Kubernetes Indexed Job that runs one playbook as N slices, one pod per
 * slice (`--slice K/N`, src/cli/slice.ts), K taken from the pod's JOB_COMPLETION_INDEX + 1.
 * The inventory and playbooks come from the image (its working folder) or from a ConfigMap: an
 * existing one (--configmap NAME) or one rendered beside the Job from local files and folders
 * (--files), keeping their relative paths. An SSH key comes from a Secret (--ssh-secret), never
 * from the rendered text. Each pod prints the json callback's result; `philote job merge` joins
 * them (the header comment of the output says how to collect them).
 *
 * Failures are per slice: backoffLimitPerIndex 0 and maxFailedIndexes N let every slice finish
 * once even when another slice's hosts failed (a plain backoffLimit 0 would stop every running
 * pod at the first failed slice), and never rerun a slice (a playbook run is not a retryable
 * unit). Kubernetes 1.29 or later (per-index backoff; GA in 1.33).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { stringify } from 'yaml';
import { PhiloteError } from '../errors.js';

export interface JobRenderOptions {
  name: string;
  namespace?: string;
  slices: number;
  /** Slices running at once (default all). */
  parallelism?: number;
  image: string;
  /** The philote command inside the image. */
  philote: string;
  /** The folder the pod runs in (the ConfigMap is mounted there). */
  workdir: string;
  configmap?: string;
  /** Local files or folders to put in a rendered ConfigMap (relative to cwd). */
  files?: string[];
  sshSecret?: string;
  serviceAccount?: string;
  /** `philote playbook` arguments (playbooks, -i, -e, ...), without --slice. */
  args: string[];
  cwd: string;
}

/** Where the SSH key Secret is mounted; its `ssh-privatekey` key (kubernetes.io/ssh-auth) is the key. */
const SSH_DIR = '/philote/ssh';
/** A ConfigMap's data, as the API server limits it (1 MiB in etcd). */
const CONFIGMAP_MAX_BYTES = 1024 * 1024;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The pod's command: sh does the one sum Kubernetes cannot (index 0 → slice 1); the arguments stay words. */
const SLICE_SCRIPT = 'n=$1; shift; exec "$0" playbook --slice "$((JOB_COMPLETION_INDEX + 1))/$n" "$@"';

function collectFiles(paths: string[], cwd: string): Array<{ rel: string; data: Buffer }> {
  const out: Array<{ rel: string; data: Buffer }> = [];
  const walk = (abs: string) => {
    const st = statSync(abs);
    if (st.isDirectory()) {
      for (const e of readdirSync(abs).sort()) if (!e.startsWith('.')) walk(join(abs, e));
    } else if (st.isFile()) {
      const rel = relative(cwd, abs).split(sep).join('/');
      if (rel.startsWith('../') || rel === '..' || rel.startsWith('/')) throw new PhiloteError('option', `job render: --files ${abs} is outside the working folder ${cwd}: paths in the ConfigMap are kept relative to it`);
      out.push({ rel, data: readFileSync(abs) });
    }
  };
  for (const p of paths) {
    const abs = resolve(cwd, p);
    try {
      walk(abs);
    } catch (e) {
      if (e instanceof PhiloteError) throw e;
      throw new PhiloteError('not-found', `job render: cannot read ${p}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** A ConfigMap key for a relative path (keys allow [-._a-zA-Z0-9]; the item's path restores the folders). */
const keyOf = (rel: string, i: number): string => {
  const k = rel.replace(/[^-._a-zA-Z0-9]/g, '_');
  return k.length <= 200 ? k : `f${i}_${k.slice(-190)}`;
};

export function renderJob(o: JobRenderOptions): string {
  if (!DNS_LABEL.test(o.name) || o.name.length > 52) throw new PhiloteError('option', `job render: --name '${o.name}' must be a DNS label of at most 52 characters (pod names add the index)`);
  if (!Number.isInteger(o.slices) || o.slices < 1 || o.slices > 100_000) throw new PhiloteError('option', `job render: --slices must be between 1 and 100000 (got ${o.slices})`);
  if (o.args.some((a) => a === '--slice' || a.startsWith('--slice='))) throw new PhiloteError('option', 'job render: the Job sets --slice itself; leave it out of the playbook arguments');
  if (o.args.length === 0) throw new PhiloteError('option', 'job render: give the playbook arguments after --, e.g. -- -i inventory.ini site.yml');
  if (o.configmap && o.files?.length) throw new PhiloteError('option', 'job render: --configmap and --files are exclusive (--files renders the ConfigMap)');
  const docs: object[] = [];
  const labels = { 'app.kubernetes.io/name': 'philote', 'app.kubernetes.io/instance': o.name };
  const meta = (name: string) => ({ name, ...(o.namespace ? { namespace: o.namespace } : {}), labels });
  let configmap = o.configmap;
  let items: Array<{ key: string; path: string }> | undefined;
  if (o.files?.length) {
    const files = collectFiles(o.files, o.cwd);
    const size = files.reduce((n, f) => n + f.data.length, 0);
    if (size > CONFIGMAP_MAX_BYTES) throw new PhiloteError('option', `job render: the files come to ${size} bytes, over a ConfigMap's 1 MiB: put them in the image instead (--image, --workdir)`);
    configmap = `${o.name}-files`;
    const data: Record<string, string> = {};
    const binaryData: Record<string, string> = {};
    items = files.map((f, i) => {
      const key = keyOf(f.rel, i);
      const text = f.data.toString('utf8');
      if (Buffer.from(text, 'utf8').equals(f.data)) data[key] = text;
      else binaryData[key] = f.data.toString('base64');
      return { key, path: f.rel };
    });
    docs.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(configmap), data, ...(Object.keys(binaryData).length ? { binaryData } : {}) });
  }
  const volumes: object[] = [];
  const mounts: object[] = [];
  if (configmap) {
    volumes.push({ name: 'work', configMap: { name: configmap, ...(items ? { items } : {}) } });
    mounts.push({ name: 'work', mountPath: o.workdir, readOnly: true });
  }
  const env: object[] = [
    // One JSON document per pod on stdout, for `philote job merge`.
    { name: 'ANSIBLE_STDOUT_CALLBACK', value: 'json' },
    // The pod's file system is thrown away: no run record under ~/.philote.
    { name: 'PHILOTE_RECORD', value: '0' },
  ];
  if (o.sshSecret) {
    volumes.push({ name: 'ssh', secret: { secretName: o.sshSecret, defaultMode: 0o400 } });
    mounts.push({ name: 'ssh', mountPath: SSH_DIR, readOnly: true });
    env.push({ name: 'ANSIBLE_PRIVATE_KEY_FILE', value: `${SSH_DIR}/ssh-privatekey` });
  }
  docs.push({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(o.name),
    spec: {
      completionMode: 'Indexed',
      completions: o.slices,
      parallelism: Math.min(o.parallelism ?? o.slices, o.slices),
      backoffLimitPerIndex: 0,
      maxFailedIndexes: o.slices,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(o.serviceAccount ? { serviceAccountName: o.serviceAccount } : {}),
          containers: [
            {
              name: 'philote',
              image: o.image,
              workingDir: o.workdir,
              command: ['sh', '-c', SLICE_SCRIPT, o.philote, String(o.slices), ...o.args],
              env,
              ...(mounts.length ? { volumeMounts: mounts } : {}),
            },
          ],
          ...(volumes.length ? { volumes } : {}),
        },
      },
    },
  });
  const ns = o.namespace ? ` -n ${o.namespace}` : '';
  const header = [
    `# philote job render: ${o.slices} slices of one run (philote playbook --slice K/${o.slices}), one pod each.`,
    `# Apply, wait, then collect each slice's JSON result and merge them into one recap:`,
    `#   kubectl apply${ns} -f job.yaml   # then wait until job/${o.name} is Complete (or Failed: a slice had failed hosts)`,
    `#   for i in $(seq 0 ${o.slices - 1}); do kubectl logs${ns} -l batch.kubernetes.io/job-name=${o.name},batch.kubernetes.io/job-completion-index=$i --tail=-1 > slice-$i.json; done`,
    `#   philote job merge slice-*.json`,
  ];
  return header.join('\n') + '\n' + docs.map((d) => '---\n' + stringify(d, { lineWidth: 0 })).join('');
}

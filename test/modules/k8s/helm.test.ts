// helm and helm_repository. The helm binary cannot be installed on these machines, so these
// tests run the modules against a stand-in executable (written below into a temp dir and given
// as binary_path or found on PATH) that records its argv and environment and answers with
// canned output and exit codes. They check the exact command lines philote runs and how it
// reads helm's JSON/YAML output and exit codes; they do not prove what a real helm does.
import { chmodSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { call } from './ctx.js';
import { tempDir } from '../../helpers/temp-dir.js';

interface Canned {
  /** argv prefix (space-joined) → answer */
  [prefix: string]: { stdout?: string; stderr?: string; rc?: number };
}

let dir: string;
let helmBin: string;

function stub(canned: Canned): void {
  writeFileSync(join(dir, 'canned.json'), JSON.stringify(canned));
}

function calls(): Array<{ argv: string[]; env: Record<string, string> }> {
  const log = join(dir, 'calls.jsonl');
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
}

beforeEach(() => {
  dir = tempDir('philote-helm-test-');
  helmBin = join(dir, 'helm');
  writeFileSync(
    helmBin,
    `#!${process.execPath}
const fs = require('fs'), path = require('path');
const dir = ${JSON.stringify(dir)};
const argv = process.argv.slice(2);
const env = {};
for (const k of Object.keys(process.env)) if (k.startsWith('HELM_') || k === 'KUBECONFIG') env[k] = process.env[k];
for (const a of argv) if (a.startsWith('-f=')) env['VALUES_FILE'] = fs.readFileSync(a.slice(3), 'utf8');
fs.appendFileSync(path.join(dir, 'calls.jsonl'), JSON.stringify({ argv, env }) + '\\n');
const canned = JSON.parse(fs.readFileSync(path.join(dir, 'canned.json'), 'utf8'));
const joined = argv.join(' ');
const key = Object.keys(canned).sort((a, b) => b.length - a.length).find((k) => joined.startsWith(k));
const ans = key ? canned[key] : { stderr: 'stub: no answer for ' + joined, rc: 99 };
process.stdout.write(ans.stdout || '');
process.stderr.write(ans.stderr || '');
process.exit(ans.rc || 0);
`,
  );
  chmodSync(helmBin, 0o755);
  stub({});
});

const CHART = 'apiVersion: v2\nname: cilium\nversion: 1.15.0\nappVersion: 1.15.0\n';
const RELEASE = JSON.stringify([{ name: 'cilium', namespace: 'kube-system', revision: '1', status: 'deployed', chart: 'cilium-1.15.0', app_version: '1.15.0' }]);

describe('helm (stand-in binary)', () => {
  it('installs a missing release with upgrade -i, a temp values file and the right environment', async () => {
    stub({ 'list --output=json --filter cilium': { stdout: '[]' }, '--version=1.15.0 show chart cilium/cilium': { stdout: CHART }, '--version=1.15.0 upgrade': { stdout: 'Release "cilium" has been upgraded.' } });
    const r = await call('kubernetes.core.helm', {
      binary_path: helmBin,
      name: 'cilium',
      chart_ref: 'cilium/cilium',
      chart_version: '1.15.0',
      release_namespace: 'kube-system',
      create_namespace: true,
      wait: true,
      wait_timeout: '5m',
      atomic: true,
      values: { ipam: { mode: 'kubernetes' } },
      values_files: ['/tmp/base.yaml'],
      set_values: [{ value: 'cni.exclusive=false' }, { value: 'tunnelPort=8473', value_type: 'string' }],
      kubeconfig: '/tmp/lab/kubeconfig',
      context: 'lab',
    });
    expect(r.failed).toBeFalsy();
    expect(r.changed).toBe(true);
    const c = calls();
    const install = c.find((x) => x.argv.includes('upgrade'))!;
    const valuesArg = install.argv.find((a) => a.startsWith('-f='))!;
    expect(install.argv).toEqual([
      '--version=1.15.0', 'upgrade', '-i', '--reset-values', '--wait', '--timeout', '5m', '--atomic', '--create-namespace',
      '--values=/tmp/base.yaml', valuesArg, '--set', 'cni.exclusive=false', '--set-string', 'tunnelPort=8473', 'cilium', 'cilium/cilium',
    ]);
    expect(install.env['VALUES_FILE']).toBe('ipam:\n  mode: kubernetes\n');
    expect(install.env).toMatchObject({ HELM_NAMESPACE: 'kube-system', HELM_KUBECONTEXT: 'lab', KUBECONFIG: '/tmp/lab/kubeconfig' });
    expect(existsSync(valuesArg.slice(3))).toBe(false); // temp values file removed
    expect(r['command']).toContain(`${helmBin} --version=1.15.0 upgrade -i`);
  });

  it('an installed release with the same chart and values is unchanged (no upgrade run)', async () => {
    stub({ 'list --output=json --filter cilium': { stdout: RELEASE }, 'get values --output=json cilium': { stdout: '{"ipam":{"mode":"kubernetes"}}' }, 'show chart': { stdout: CHART } });
    const warnings: string[] = [];
    const r = await call('helm', { binary_path: helmBin, name: 'cilium', chart_ref: 'cilium/cilium', namespace: 'kube-system', values: { ipam: { mode: 'kubernetes' } } }, { warnings });
    expect(r.changed).toBe(false);
    expect((r['status'] as Record<string, unknown>)['values']).toEqual({ ipam: { mode: 'kubernetes' } });
    expect(calls().some((x) => x.argv.includes('upgrade'))).toBe(false);
    expect(warnings[0]).toMatch(/helm diff/);
  });

  it('different values upgrade; check mode only reads and reports the command', async () => {
    stub({ 'list --output=json --filter cilium': { stdout: RELEASE }, 'get values': { stdout: 'null\n' }, 'show chart': { stdout: CHART } });
    const r = await call('helm', { binary_path: helmBin, name: 'cilium', chart_ref: 'cilium/cilium', namespace: 'kube-system', values: { a: 1 } }, { check: true });
    expect(r.changed).toBe(true);
    expect(r['command']).toMatch(/upgrade -i --reset-values -f=\S+ cilium cilium\/cilium$/);
    expect(calls().map((x) => x.argv[0])).toEqual(['list', 'get', 'show']);
  });

  it('absent uninstalls an installed release, keeps history when purge is false', async () => {
    stub({ 'list --output=json --filter calico': { stdout: JSON.stringify([{ name: 'calico', chart: 'tigera-operator-v3.27.0' }]) }, 'get values': { stdout: 'null' }, uninstall: { stdout: 'release "calico" uninstalled' } });
    const r = await call('helm', { binary_path: helmBin, name: 'calico', namespace: 'tigera-operator', state: 'absent', purge: false, wait: true });
    expect(r.changed).toBe(true);
    expect(calls().find((x) => x.argv[0] === 'uninstall')!.argv).toEqual(['uninstall', '--keep-history', '--wait', 'calico']);
    stub({ 'list --output=json --filter calico': { stdout: '[]' } });
    expect((await call('helm', { binary_path: helmBin, name: 'calico', namespace: 'tigera-operator', state: 'absent' })).changed).toBe(false);
  });

  it('a failing helm command fails the task with its exit code and output', async () => {
    stub({ 'list --output=json --filter cilium': { stdout: '[]' }, 'show chart': { stdout: CHART }, upgrade: { stderr: 'Error: INSTALLATION FAILED: timed out', rc: 1 } });
    const r = await call('helm', { binary_path: helmBin, name: 'cilium', chart_ref: 'cilium/cilium', namespace: 'kube-system' });
    expect(r.failed).toBe(true);
    expect(r.msg).toBe('Failure when executing Helm command. Exited 1.\nstdout: \nstderr: Error: INSTALLATION FAILED: timed out');
    expect(r.rc).toBe(1);
  });

  it('finds helm on the task PATH, and says so clearly when it is missing', async () => {
    stub({ 'list --output=json --filter x': { stdout: '[]' } });
    const ok = await call('helm', { name: 'x', namespace: 'n', state: 'absent' }, { environment: { PATH: dir } });
    expect(ok.changed).toBe(false);
    await expect(call('helm', { name: 'x', namespace: 'n', state: 'absent' }, { environment: { PATH: join(dir, 'nothing') } })).rejects.toThrow(/Failed to find required executable "helm"/);
  });
});

describe('helm_repository (stand-in binary)', () => {
  it('adds a missing repository, then is unchanged; masks the password', async () => {
    stub({ 'repo list': { stderr: 'Error: no repositories to show', rc: 1 }, 'repo add': { stdout: '"cilium" has been added' } });
    const r = await call('kubernetes.core.helm_repository', { binary_path: helmBin, name: 'cilium', repo_url: 'https://helm.cilium.io/', repo_username: 'u', repo_password: 's3cret' });
    expect(r.changed).toBe(true);
    expect(calls()[1]!.argv).toEqual(['repo', 'add', 'cilium', 'https://helm.cilium.io/', '--username=u', '--password=s3cret']);
    expect(r['command']).toBe(`${helmBin} repo add cilium https://helm.cilium.io/ --username=u --password=******`);
    stub({ 'repo list': { stdout: JSON.stringify([{ name: 'cilium', url: 'https://helm.cilium.io/' }]) } });
    expect((await call('helm_repository', { binary_path: helmBin, name: 'cilium', repo_url: 'https://helm.cilium.io/' })).changed).toBe(false);
    const clash = await call('helm_repository', { binary_path: helmBin, name: 'cilium', repo_url: 'https://other/' });
    expect(clash).toMatchObject({ failed: true, msg: 'Repository already have a repository named cilium' });
  });
  it('removes a repository; check mode runs only the listing', async () => {
    stub({ 'repo list': { stdout: JSON.stringify([{ name: 'projectcalico', url: 'https://docs.tigera.io/calico/charts' }]) }, 'repo rm': { stdout: 'removed' } });
    expect((await call('helm_repository', { binary_path: helmBin, name: 'projectcalico', state: 'absent' }, { check: true })).changed).toBe(true);
    expect(calls().map((c) => c.argv.join(' '))).toEqual(['repo list --output=json']);
    expect((await call('helm_repository', { binary_path: helmBin, name: 'projectcalico', state: 'absent' })).changed).toBe(true);
    expect(calls().at(-1)!.argv).toEqual(['repo', 'rm', 'projectcalico']);
  });
});

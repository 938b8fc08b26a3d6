/**
 * The `philote.kube_nodes` inventory source through the CLI (`philote inventory`, `philote
 * playbook --list-hosts`) against the Kubernetes API simulator: hosts, ansible_host from the
 * InternalIP, control_plane/workers/role/label groups, `compose` vars; unknown options and an
 * unreachable API refused with the file named.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startSim, type Sim } from '../modules/k8s/sim.js';

let sim: Sim;
let dir = '';

beforeAll(async () => {
  sim = await startSim({ nodes: [{ name: 'cp1', internalIP: '10.77.0.11' }, { name: 'w1', internalIP: '10.77.0.12' }, { name: 'w2', internalIP: '10.77.0.13' }] });
  dir = mkdtempSync(join(tmpdir(), 'phl-kube-inv-'));
  writeFileSync(join(dir, 'cluster.yml'), `plugin: philote.kube_nodes\nkubeconfig: ${sim.kubeconfigPath}\ncompose:\n  ansible_user: ubuntu\n`);
  writeFileSync(join(dir, 'bad.yml'), `plugin: philote.kube_nodes\nkubeconfig: ${sim.kubeconfigPath}\nhost_filter: x\n`);
  writeFileSync(join(dir, 'down.yml'), `plugin: kube_nodes\nkubeconfig:\n  apiVersion: v1\n  kind: Config\n  clusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\n  users: [{name: u, user: {token: t}}]\n  contexts: [{name: x, context: {cluster: c, user: u}}]\n  current-context: x\n`);
  writeFileSync(join(dir, 'play.yml'), '- hosts: workers\n  gather_facts: false\n  tasks: [{debug: {msg: hi}}]\n');
});
afterAll(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('inventory source philote.kube_nodes', () => {
  it('lists the nodes as hosts with groups and vars', async () => {
    const r = await runCli(['inventory', '-i', 'cluster.yml', '--list'], { cwd: dir });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const inv = JSON.parse(r.out) as Record<string, { hosts?: string[]; children?: string[] }> & { _meta: { hostvars: Record<string, Record<string, unknown>> } };
    expect(inv['control_plane']?.hosts).toEqual(['cp1']);
    expect(inv['workers']?.hosts?.sort()).toEqual(['w1', 'w2']);
    expect(inv['all']?.children).toEqual(expect.arrayContaining(['control_plane', 'workers']));
    expect(inv._meta.hostvars['w2']).toMatchObject({ ansible_host: '10.77.0.13', ansible_user: 'ubuntu', k8s_node_name: 'w2' });
    const hosts = await runCli(['playbook', '-i', 'cluster.yml', 'play.yml', '--list-hosts'], { cwd: dir });
    expect(hosts.code).toBe(0);
    expect(hosts.out).toMatch(/hosts \(2\):\s+w[12]\s+w[12]/);
  });

  it('refuses an unknown option and an unreachable API, naming the file', async () => {
    const bad = await runCli(['inventory', '-i', 'bad.yml', '--list'], { cwd: dir });
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain(`${join(dir, 'bad.yml')}: unknown option 'host_filter' for inventory plugin philote.kube_nodes`);
    const down = await runCli(['inventory', '-i', 'down.yml', '--list'], { cwd: dir });
    expect(down.code).not.toBe(0);
    expect(down.err).toContain(`${join(dir, 'down.yml')}: inventory plugin kube_nodes could not list the cluster's nodes`);
  });
});

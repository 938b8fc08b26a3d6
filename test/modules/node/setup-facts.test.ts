/**
 * Facts that do not change between two runs on the same machine, gathered by ansible-playbook
 * 2.14 (the oracle) and by philote on localhost: the same values, key by key. The facts philote
 * does not gather yet (devices, lvm, virtualization, system_capabilities...) are not listed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const hasAnsible = spawnSync('ansible-playbook', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'phl-setup-facts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STABLE = [
  'architecture', 'cmdline', 'distribution', 'distribution_major_version', 'distribution_release', 'distribution_version',
  'domain', 'effective_group_id', 'effective_user_id', 'fips', 'form_factor', 'fqdn', 'hostname', 'is_chroot', 'kernel',
  'local', 'lsb', 'machine', 'nodename', 'os_family', 'pkg_mgr', 'proc_cmdline', 'product_name', 'real_group_id', 'real_user_id',
  'service_mgr', 'ssh_host_key_ecdsa_public', 'ssh_host_key_ed25519_public', 'ssh_host_key_rsa_public', 'system', 'system_vendor',
  'user_dir', 'user_gecos', 'user_gid', 'user_id', 'user_shell', 'user_uid', 'userspace_bits',
  // The network: the default route's interface and addresses, and every interface's entry.
  'all_ipv4_addresses', 'default_ipv4', 'lo',
];

describe.skipIf(!hasAnsible)('setup facts (differential against ansible-playbook on localhost)', () => {
  it('gathers the same stable facts', async () => {
    const play = join(dir, 'facts.yml');
    writeFileSync(play, `- hosts: localhost\n  gather_facts: true\n  tasks:\n    - copy: { content: "{{ ansible_facts | to_json }}", dest: "${dir}/facts-{{ tool }}.json" }\n`);
    const ans = spawnSync('ansible-playbook', ['-i', 'localhost,', '-c', 'local', play, '-e', 'tool=ansible'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
    expect(ans.status, ans.stdout + ans.stderr).toBe(0);
    const ours = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', play, '-e', 'tool=philote'], { cwd: dir });
    expect(ours.code, ours.out + ours.err).toBe(0);
    const a = JSON.parse(readFileSync(join(dir, 'facts-ansible.json'), 'utf8')) as Record<string, unknown>;
    const p = JSON.parse(readFileSync(join(dir, 'facts-philote.json'), 'utf8')) as Record<string, unknown>;
    const pick = (f: Record<string, unknown>) => Object.fromEntries(STABLE.filter((k) => k in a).map((k) => [k, f[k]]));
    expect(pick(p)).toEqual(pick(a));
    // The interfaces (their list's order is a Python set's in ansible-core, random per run, so
    // only the members are compared), and the default route's interface as ansible-core
    // describes it. Other kinds of interfaces a CI machine may have are not compared.
    expect([...(p['interfaces'] as string[])].sort()).toEqual([...(a['interfaces'] as string[])].sort());
    const dflt = (a['default_ipv4'] as { interface?: string } | undefined)?.interface;
    if (dflt) expect(p[dflt.replace(/[-.:]/g, '_')], dflt).toEqual(a[dflt.replace(/[-.:]/g, '_')]);
  }, 120_000);
});

/**
 * template, differential against ansible-core's template module (local connection): the same
 * template with a loop, filters, a conditional, whitespace control and ansible_managed, rendered
 * to two twin directories; the files, modes and changed flags must agree over two runs, and
 * check mode must write nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'phl-tpl-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

writeFileSync(
  join(root, 'cni.conflist.j2'),
  `# {{ ansible_managed | default('managed') }}
{
  "name": "{{ cni_name }}",
  "cniVersion": "0.3.1",
  "plugins": [
{% for p in plugins %}
    {"type": "{{ p.type }}"{% if p.mtu is defined %}, "mtu": {{ p.mtu | int }}{% endif %}}{{ "," if not loop.last else "" }}
{% endfor %}
  ],
  "pools": {{ pools | map('ansible.utils.ipaddr', 'network') | list | to_json }},
  "nodes": "{{ groups['all'] | length }} {{ inventory_hostname | upper }}"
}
`,
);

function playbook(dest: string): string {
  const p = join(root, `pb-${dest.split('/').pop()}.yml`);
  writeFileSync(
    p,
    `- hosts: localhost
  gather_facts: false
  vars:
    cni_name: cilium
    plugins: [{type: cilium-cni, mtu: "1450"}, {type: portmap}]
    pools: [10.245.1.7/16, 10.42.0.0/16]
  tasks:
    - template: {src: ${root}/cni.conflist.j2, dest: ${dest}/05-cilium.conflist, mode: "0640"}
      register: t
    - debug: msg="{{ t.changed }} {{ t.mode | default('-') }}"
`,
  );
  return p;
}

const flag = (out: string) => /"msg": "(.*)"\n/.exec(out)?.[1];

describe('template (differential against ansible-core)', () => {
  it('renders the same file, mode and changed flags; check mode writes nothing', async () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    mkdirSync(a);
    mkdirSync(b);
    const env = { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: '0' };
    const check = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', '--check', playbook(b)]);
    expect(check.code, check.out).toBe(0);
    expect(existsSync(join(b, '05-cilium.conflist'))).toBe(false);
    for (let pass = 0; pass < 2; pass++) {
      const ans = execFileSync('ansible-playbook', ['-i', 'localhost,', '-c', 'local', playbook(a)], { encoding: 'utf8', env });
      const ours = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', playbook(b)]);
      expect(ours.code, ours.out).toBe(0);
      expect(flag(ours.out)).toBe(flag(ans));
    }
    const strip = (s: string) => s.replace(/^# .*\n/, '');
    expect(strip(readFileSync(join(b, '05-cilium.conflist'), 'utf8'))).toBe(strip(readFileSync(join(a, '05-cilium.conflist'), 'utf8')));
    expect(readFileSync(join(b, '05-cilium.conflist'), 'utf8')).toContain('"pools": ["10.245.0.0", "10.42.0.0"]');
    expect(statSync(join(b, '05-cilium.conflist')).mode & 0o777).toBe(0o640);
  });
});

/**
 * package_facts and service_facts on twin lab nodes, differential against ansible-playbook 2.14:
 * the same package names, versions, architectures and categories (dpkg's database on the node;
 * Ansible reads it through python3-apt), and the same services, states and sources (the lab
 * nodes run no systemd, so both use `service --status-all`); dpkg_selections hold/install
 * (dpkg's database in /var/lib is the nodes' private overlay).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugMsgs, outcomes, startTwin, type Twin } from './twin.js';

let t: Twin;

const TASKS = `    - package_facts: {manager: auto}
    - debug: {msg: "{{ ansible_facts.packages | length }}"}
    - debug: {msg: "{{ ansible_facts.packages['openssh-server'] | map('dict2items') | map('rejectattr', 'key', 'eq', 'origin') | map('items2dict') | list }}"}
    - debug: {msg: "{{ ansible_facts.packages | dict2items | map(attribute='value') | flatten | map(attribute='name') | sort | join(',') | hash('sha1') }}"}
    - debug: {msg: "{{ ansible_facts.packages | dict2items | map(attribute='value') | flatten | map(attribute='version') | sort | join(',') | hash('sha1') }}"}
    - debug: {msg: "{{ ansible_facts.packages | dict2items | map(attribute='value') | flatten | map(attribute='arch') | sort | join(',') | hash('sha1') }}"}
    - ansible.builtin.package_facts: {manager: [rpm, apt], strategy: all}
    - package_facts: {manager: [nosuch]}
      ignore_errors: true
    - service_facts:
    - debug: {msg: "{{ ansible_facts.services | dict2items | sort(attribute='key') | list }}"}
    - dpkg_selections: {name: openssh-server, selection: hold}
      register: h1
    - dpkg_selections: {name: openssh-server, selection: hold}
    - dpkg_selections: {name: phl-not-a-package, selection: hold}
      check_mode: true
      register: h2
    - dpkg_selections: {name: openssh-server, selection: install}
    - debug: {msg: "{{ [h1.before, h1.after, h2.before, h2.changed] }}"}
`;

describe('package_facts and service_facts in lab nodes (differential against ansible-playbook)', () => {
  beforeAll(async () => {
    t = await startTwin('fct');
  }, 120_000);
  afterAll(async () => {
    await t?.down();
  });

  it('gathers the same packages and services as Ansible; dpkg_selections holds as Ansible', async () => {
    const r = await t.both(TASKS);
    expect(outcomes(r.ours), r.ours + r.ans).toEqual(outcomes(r.ans));
    expect(outcomes(r.ours)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'failed', 'ok', 'ok', 'changed', 'ok', 'changed', 'changed', 'ok']);
    const ours = debugMsgs(r.ours);
    const ans = debugMsgs(r.ans);
    expect(ours, r.ours + r.ans).toEqual(ans);
    expect(Number(JSON.parse(ours[0]!))).toBeGreaterThan(100);
    expect(ours[1]).toContain('"source": "apt"');
    expect(ours[5]).toContain('"source": "sysv"');
    expect(ours[6]).toMatch(/"install",\s+"hold",\s+"not present",\s+true/);
    const [a, o] = await t.state('dpkg --get-selections openssh-server');
    expect(o).toBe(a);
    expect(o).toMatch(/\sinstall\n$/);
  }, 180_000);
});

/**
 * Trust boundary, against ansible-playbook 2.14: what comes from a node, a file, a lookup or the
 * Kubernetes API is data, never a template. Each channel carries a payload that would run
 * `touch <marker>` on the controller if it were templated again; it is printed directly, after
 * set_fact, as a loop item, through hostvars and in a concatenation, and used as a conditional
 * (when:, and assert's that: as a list item or as the whole list).
 * Both tools must print the same lines, and no marker file may appear.
 * Channels: command output, slurp, fetch (+ file lookup), k8s_info of a ConfigMap (the repo's
 * Kubernetes API simulator), lookup('pipe'), a `!unsafe` play var, a fact (ansible_env).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startSim, type Sim } from '../modules/k8s/sim.js';

const haveAnsible = existsSync('/usr/bin/ansible-playbook') && existsSync('/usr/lib/python3/dist-packages/kubernetes');
const dir = mkdtempSync(join(tmpdir(), 'phl-trust-'));
let sim: Sim | undefined;

/** The simulator runs in this process: children must be waited for without blocking it. */
function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { ...opts, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err && typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : err ? 1 : 0;
      resolve({ status: code, stdout, stderr });
    });
  });
}

/** A Jinja payload that touches `owned-<channel>` in the test folder when evaluated. */
const payload = (channel: string) => `{{ lookup("pipe", "touch ${dir}/owned-${channel}") }}`;

const CHANNELS: Record<string, string> = {
  command: '{{ out_cmd.stdout }}',
  slurp: "{{ out_slurp.content | b64decode }}",
  fetch: "{{ lookup('file', playbook_dir + '/fetched/payload-fetch.txt') }}",
  k8s: "{{ out_cm.resources[0].data.payload }}",
  pipe: "{{ lookup('pipe', 'cat ' + playbook_dir + '/payload-pipe.txt') }}",
  unsafe_var: '{{ from_yaml_unsafe }}',
  fact: '{{ ansible_env.PHILOTE_TRUST_PAYLOAD }}',
};

function playbook(): string {
  const uses = Object.entries(CHANNELS)
    .map(([ch, expr]) => `
    - debug: { msg: "${ch} direct: ${expr.replace(/"/g, '\\"')}" }
    - set_fact: { kept_${ch}: "${expr.replace(/"/g, '\\"')}" }
    - debug: { var: kept_${ch} }
    - debug: { msg: "${ch} again: {{ kept_${ch} }}" }
    - debug: { msg: "${ch} item: {{ item }}" }
      loop: ["${expr.replace(/"/g, '\\"')}"]
    - debug: { msg: "${ch} with_items: {{ item }}" }
      with_items: "${expr.replace(/"/g, '\\"')}"
    - debug: { msg: "${ch} hostvars: {{ hostvars[inventory_hostname]['kept_${ch}'] }}" }
    - debug: { msg: "${ch} upper: {{ kept_${ch} | upper }}" }
    - name: ${ch} as a conditional
      debug: { msg: never }
      when: "${expr.replace(/"/g, '\\"')}"
      ignore_errors: true
    - name: ${ch} as an assertion
      assert: { that: ["${expr.replace(/"/g, '\\"')}"] }
      ignore_errors: true
    - name: ${ch} as the list of assertions
      assert: { that: "{{ [kept_${ch}] }}" }
      ignore_errors: true`)
    .join('');
  return `- hosts: localhost
  gather_facts: true
  gather_subset: [min]
  vars:
    from_yaml_unsafe: !unsafe '${payload('unsafe_var')}'
  tasks:
    - command: cat ${dir}/payload-command.txt
      register: out_cmd
    - slurp: { src: "${dir}/payload-slurp.txt" }
      register: out_slurp
    - fetch: { src: "${dir}/payload-fetch.txt", dest: "${dir}/fetched/", flat: true }
    - kubernetes.core.k8s_info: { kind: ConfigMap, namespace: default, name: trust, kubeconfig: "{{ kc }}" }
      register: out_cm
${uses}
`;
}

/** Lines that show a value: debug messages, vars, failures; with the task they belong to. */
function shown(out: string): string[] {
  return out
    .split('\n')
    .filter((l) => /^\s+"(msg|kept_\w+)":|^(fatal|failed|ok|skipping): \[localhost\]/.test(l))
    .map((l) => l.replace(/ => \{$/, ''));
}

function owned(): string[] {
  return readdirSync(dir).filter((f) => f.startsWith('owned-'));
}

describe.skipIf(!haveAnsible)('data from nodes, files, lookups and the cluster is never templated again', () => {
  beforeAll(async () => {
    sim = await startSim();
    for (const ch of ['command', 'slurp', 'fetch', 'pipe']) writeFileSync(join(dir, `payload-${ch}.txt`), payload(ch));
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'trust', namespace: 'default' }, data: { payload: payload('k8s') } };
    writeFileSync(join(dir, 'cm.json'), JSON.stringify(cm));
    const k = await run('kubectl', ['--kubeconfig', sim.kubeconfigPath, 'apply', '-f', join(dir, 'cm.json')]);
    expect(k.status, k.stderr).toBe(0);
    writeFileSync(join(dir, 'play.yml'), playbook());
    mkdirSync(join(dir, 'fetched'));
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the payloads literally, as ansible-playbook does, and runs none of them', async () => {
    const env = {
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_LOCALHOST_WARNING: 'false',
      ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false',
      ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
      HOME: dir,
      PHILOTE_TRUST_PAYLOAD: payload('fact'),
    };
    const extra = ['-e', `kc=${sim!.kubeconfigPath}`];
    const ans = await run('/usr/bin/ansible-playbook', ['play.yml', ...extra], { cwd: dir, env: { ...process.env, ...env } });
    expect(owned()).toEqual([]);
    rmSync(join(dir, 'fetched'), { recursive: true, force: true });
    mkdirSync(join(dir, 'fetched'));
    // The implicit localhost's facts come from this process's own environment.
    process.env['PHILOTE_TRUST_PAYLOAD'] = payload('fact');
    const ours = await runCli(['playbook', 'play.yml', ...extra], { cwd: dir, env }).finally(() => delete process.env['PHILOTE_TRUST_PAYLOAD']);
    expect(owned()).toEqual([]);

    const want = shown(ans.stdout);
    const got = shown(ours.out);
    // The oracle itself must show every channel's payload, literally, in every use.
    for (const ch of Object.keys(CHANNELS)) {
      expect(want).toContain(`    "msg": "${ch} direct: {{ lookup(\\"pipe\\", \\"touch ${dir}/owned-${ch}\\") }}"`);
      expect(want.filter((l) => l.includes(`owned-${ch}`)).length).toBeGreaterThanOrEqual(8);
    }
    // Refused three times per channel: as a when:, as an assert item and as assert's whole list.
    expect(want.filter((l) => l.includes('Conditional is marked as unsafe')).length).toBe(3 * Object.keys(CHANNELS).length);
    expect(got).toEqual(want);
    expect(ours.code).toBe(ans.status);
  }, 180_000);
});

/**
 * pip on twin lab nodes, differential against ansible-playbook 2.14: a virtualenv made with
 * `python3 -m venv` under /var/lib (the nodes' private overlay), a wheel built by the test
 * (no package index is reachable here: --no-index --find-links), install, again, a version,
 * absent, absent again, check mode. Nothing is installed outside the venv.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugMsgs, outcomes, startTwin, type Twin } from './twin.js';

let t: Twin;

const MAKE_WHEEL = String.raw`
import sys, zipfile
out, version = sys.argv[1], sys.argv[2]
di = f"phl_demo-{version}.dist-info"
files = {
  "phl_demo/__init__.py": f"VERSION = '{version}'\n",
  f"{di}/METADATA": f"Metadata-Version: 2.1\nName: phl-demo\nVersion: {version}\n",
  f"{di}/WHEEL": "Wheel-Version: 1.0\nGenerator: phl-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
files[f"{di}/RECORD"] = "".join(f"{n},,\n" for n in files) + f"{di}/RECORD,,\n"
with zipfile.ZipFile(f"{out}/phl_demo-{version}-py3-none-any.whl", "w") as z:
  for n, c in files.items(): z.writestr(n, c)
`;

const V = '/var/lib/phl-venv';
const P = (args: string) => `    - pip: {virtualenv: ${V}, virtualenv_command: "python3 -m venv", extra_args: "--no-index --find-links /var/lib/phl-wheels", ${args}}\n`;
const TASKS =
  `    - copy: {src: wheels/, dest: /var/lib/phl-wheels/}\n` +
  P('name: phl-demo, version: "1.0"') +
  `      register: p1\n` +
  P('name: phl-demo, version: "1.0"') +
  `      register: p2\n` +
  P('name: phl-demo, state: latest') +
  `    - pip: {name: phl-demo, virtualenv: ${V}, state: absent}\n` +
  `      register: p3\n` +
  `    - pip: {name: phl-demo, virtualenv: ${V}, state: absent}\n` +
  `    - pip: {name: phl-demo, virtualenv: ${V}, state: absent}\n` +
  `      check_mode: true\n      register: p4\n` +
  `    - debug: {msg: "{{ [p1.state, p1.version, p1.virtualenv, p1.name, 'Successfully installed phl-demo-1.0' in p1.stdout, p2.changed, p3.changed, p4.changed] }}"}\n`;

describe('pip in lab nodes (differential against ansible-playbook)', () => {
  beforeAll(async () => {
    t = await startTwin('pip');
    const wheels = join(t.dir, 'files', 'wheels');
    execFileSync('mkdir', ['-p', wheels]);
    for (const v of ['1.0', '1.1']) execFileSync('/usr/bin/python3', ['-c', MAKE_WHEEL, wheels, v]);
  }, 120_000);
  afterAll(async () => {
    await t?.down();
  });

  it('same outcomes, results and venv contents as Ansible', async () => {
    const r = await t.both(TASKS);
    expect(outcomes(r.ours), r.ours + r.ans).toEqual(outcomes(r.ans));
    expect(outcomes(r.ours)).toEqual(['changed', 'changed', 'ok', 'changed', 'changed', 'ok', 'ok', 'ok']);
    expect(debugMsgs(r.ours), r.ours + r.ans).toEqual(debugMsgs(r.ans));
    const [a, o] = await t.state(`${V}/bin/pip freeze; ls ${V}/bin/activate`);
    expect(o).toBe(a);
    expect(o).toBe(`${V}/bin/activate\n`);
  }, 180_000);
});

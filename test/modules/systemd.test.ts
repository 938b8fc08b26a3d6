/**
 * systemd/service. systemd cannot run as PID 1 in this sandbox or in a lab node, so:
 * - the failure on a node without systemd is tested for real (this machine's own systemctl);
 * - the decisions (which systemctl calls, changed, check mode, idempotence) are tested against a
 *   STAND-IN `systemctl` script first in PATH that keeps unit state in files. It is a stand-in
 *   because no real systemd can run here; it answers `show`, `is-enabled` and the verbs the module uses.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'phl-systemd-'));
const bin = join(root, 'bin');
const state = join(root, 'state');
mkdirSync(bin);
mkdirSync(state);
writeFileSync(
  join(bin, 'systemctl'),
  `#!/bin/sh
# stand-in systemctl: state/<unit>.active (active|inactive), state/<unit>.enabled (enabled|disabled)
S=${state}
echo "$*" >> $S/calls
u=\${2:-}; [ "$1" = show ] && u=$2
case "$1" in
  show) [ -f "$S/$u.active" ] || { printf 'Id=%s\\nLoadState=not-found\\nActiveState=inactive\\n' "$u"; exit 0; }
        printf 'Id=%s.service\\nLoadState=loaded\\nActiveState=%s\\nSubState=running\\nUnitFileState=%s\\n' "$u" "$(cat $S/$u.active)" "$(cat $S/$u.enabled)" ;;
  is-enabled) cat "$S/$u.enabled" ;;
  start|restart) echo active > "$S/\${3:-$2}.active" ;;
  stop) echo inactive > "$S/$2.active" ;;
  reload|daemon-reload) ;;
  enable) echo enabled > "$S/$2.enabled" ;;
  disable) echo disabled > "$S/$2.enabled" ;;
  *) echo "unknown verb $1" >&2; exit 1 ;;
esac
`,
);
chmodSync(join(bin, 'systemctl'), 0o755);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function playbook(name: string, tasks: string): string {
  const p = join(root, `${name}.yml`);
  // The stand-in comes first in PATH through the play's `environment:`, as a user would set it.
  writeFileSync(p, `- hosts: localhost\n  gather_facts: false\n  environment: {PATH: "${bin}:${process.env.PATH}"}\n  tasks:\n${tasks}`);
  return p;
}

const calls = () => (existsSync(join(state, 'calls')) ? readFileSync(join(state, 'calls'), 'utf8').trim().split('\n') : []);

describe('systemd', () => {
  it('fails clearly on a node without systemd as init (real systemctl of this machine)', async () => {
    const p = join(root, 'nosystemd.yml');
    writeFileSync(p, '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.systemd: {name: k3s, state: restarted}\n');
    const r = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', p]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/fatal: \[localhost\]: FAILED!.*(System has not been booted with systemd|systemctl was not found)/s);
  });

  it('starts and enables only when needed; check mode calls nothing that changes; restarted always changes', async () => {
    writeFileSync(join(state, 'k3s.active'), 'inactive\n');
    writeFileSync(join(state, 'k3s.enabled'), 'disabled\n');
    const start = playbook('start', '    - systemd: {name: k3s, state: started, enabled: true, daemon_reload: true}\n      register: r\n    - debug: msg="{{ r.changed }} {{ r.state }} {{ r.enabled }} {{ r.status.ActiveState }}"\n');
    const check = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', '--check', start]);
    expect(check.code, check.out + check.err).toBe(0);
    expect(check.out).toContain('"msg": "True started True inactive"');
    expect(calls().filter((c) => !/^(show|is-enabled)/.test(c))).toEqual([]);
    const first = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', start]);
    expect(first.out).toContain('"msg": "True started True active"');
    expect(calls().filter((c) => !/^(show|is-enabled)/.test(c))).toEqual(['daemon-reload', 'enable k3s', 'start k3s']);
    const again = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', start]);
    expect(again.out).toContain('"msg": "False started True active"');
    const restart = playbook('restart', '    - service: {name: k3s, state: restarted}\n    - systemd: {name: nope, state: stopped}\n');
    const r = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', restart]);
    expect(r.out).toContain('changed: [localhost]');
    expect(r.out).toContain('Could not find the requested service nope: host');
    expect(calls()).toContain('restart k3s');
  });
});

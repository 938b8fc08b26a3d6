/**
 * firewalld. firewalld (a D-Bus daemon managing the machine's own firewall) cannot run in this
 * sandbox or in a lab node without touching the machine, so:
 * - the failure on a node without firewall-cmd is tested for real (this machine has none);
 * - the decisions (which firewall-cmd calls, runtime/permanent, check mode, idempotence, errors)
 *   are tested against a STAND-IN `firewall-cmd` first in PATH that keeps zone items in files
 *   (state/<runtime|permanent>/<zone>/<kind>=<value>) and logs its calls. It answers
 *   --state, --query-*, --add-*, --change-*, --remove-* with firewall-cmd's exit codes (0 yes,
 *   1 no, 112 INVALID_ZONE, 252 not running).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'phl-firewalld-'));
const bin = join(root, 'bin');
const state = join(root, 'state');
mkdirSync(bin);
mkdirSync(state);
writeFileSync(
  join(bin, 'firewall-cmd'),
  `#!/bin/sh
S=${state}
echo "$*" >> $S/calls
perm=runtime; zone=public; op=
for a; do case $a in
  --state) if [ -f $S/running ]; then echo running; exit 0; fi; echo 'not running'; exit 252 ;;
  --permanent) perm=permanent ;; --zone=*) zone=\${a#--zone=} ;; --timeout=*) ;;
  --query-*|--add-*|--remove-*|--change-*) op=$a ;;
esac; done
case $zone in public|trusted) ;; *) echo "Error: INVALID_ZONE: $zone"; exit 112 ;; esac
verb=\${op#--}; verb=\${verb%%-*}; rest=\${op#--$verb-}; kind=\${rest%%=*}; val=
case $rest in *=*) val=\${rest#*=} ;; esac
mkdir -p "$S/$perm/$zone"; f="$S/$perm/$zone/$kind=$(printf %s "$val" | tr '/ "' '___')"
case $verb in
  query) if [ -e "$f" ]; then echo yes; exit 0; fi; echo no; exit 1 ;;
  add|change) : > "$f"; echo success ;;
  remove) rm -f "$f"; echo success ;;
esac
`,
);
chmodSync(join(bin, 'firewall-cmd'), 0o755);
symlinkSync(join(bin, 'firewall-cmd'), join(bin, 'firewall-offline-cmd'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function playbook(name: string, tasks: string, standIn = true): string {
  const p = join(root, `${name}.yml`);
  // The stand-in comes first in PATH through the play's `environment:`, as a user would set it.
  const env = standIn ? `  environment: {PATH: "${bin}:${process.env.PATH}"}\n` : '';
  writeFileSync(p, `- hosts: localhost\n  gather_facts: false\n${env}  tasks:\n${tasks}`);
  return p;
}
const run = (p: string, ...flags: string[]) => runCli(['playbook', '-i', 'localhost,', '-c', 'local', ...flags, p]);
const calls = () => (existsSync(join(state, 'calls')) ? readFileSync(join(state, 'calls'), 'utf8').trim().split('\n') : []);
const changing = () => calls().filter((c) => !/--query-|^--state/.test(c));
const items = (mode: string, zone = 'public') => (existsSync(join(state, mode, zone)) ? readdirSync(join(state, mode, zone)).sort() : []);
const reset = () => rmSync(join(state, 'calls'), { force: true });

describe('firewalld', () => {
  it('fails clearly on a node without firewall-cmd (this machine, for real)', async () => {
    const r = await run(playbook('absent', '    - ansible.posix.firewalld: {port: 6443/tcp, state: enabled, permanent: true, immediate: true}\n', false));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/fatal: \[localhost\]: FAILED!.*firewall-cmd was not found on the node/s);
  });

  it('adds in runtime and permanent only what is missing; check mode calls nothing that changes; second run ok', async () => {
    writeFileSync(join(state, 'running'), '');
    const p = playbook(
      'open',
      [
        '    - ansible.posix.firewalld: {port: 6443/tcp, state: enabled, permanent: true, immediate: true}',
        '      register: r',
        '    - debug: msg="{{ r.changed }}|{{ r.msg }}"',
        '    - firewalld: {service: https, zone: trusted, state: enabled}',
        '    - firewalld: {rich_rule: \'rule family="ipv4" source address="10.42.0.0/16" accept\', state: enabled, permanent: true}',
        '    - firewalld: {masquerade: true, state: enabled, permanent: true, immediate: true}',
        '',
      ].join('\n'),
    );
    const check = await run(p, '--check');
    expect(check.code, check.out + check.err).toBe(0);
    expect(check.out).toContain('"msg": "True|Permanent and Non-Permanent(immediate) operation, Changed port 6443/tcp to enabled"');
    expect(changing()).toEqual([]);
    expect(items('runtime')).toEqual([]);

    reset();
    const first = await run(p);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/changed=4 /);
    expect(changing()).toEqual([
      '--add-port=6443/tcp',
      '--permanent --add-port=6443/tcp',
      '--zone=trusted --add-service=https',
      '--permanent --add-rich-rule=rule family="ipv4" source address="10.42.0.0/16" accept',
      '--add-masquerade',
      '--permanent --add-masquerade',
    ]);
    expect(items('runtime')).toEqual(['masquerade=', 'port=6443_tcp']);
    expect(items('runtime', 'trusted')).toEqual(['service=https']);
    expect(items('permanent')).toHaveLength(3);

    reset();
    const again = await run(p);
    expect(again.out).toMatch(/changed=0 /);
    expect(again.out).toContain('"msg": "False|Permanent and Non-Permanent(immediate) operation"');
    expect(changing()).toEqual([]);

    reset();
    const close = await run(playbook('close', '    - firewalld: {port: 6443/tcp, state: disabled, permanent: true}\n    - firewalld: {port: 6443/tcp, state: disabled, permanent: true}\n'));
    expect(close.out).toMatch(/changed=1 /);
    expect(changing()).toEqual(['--permanent --remove-port=6443/tcp']);
    expect(items('runtime')).toContain('port=6443_tcp');
  });

  it('firewalld stopped: runtime changes fail with a sentence, permanent-only ones go offline', async () => {
    rmSync(join(state, 'running'), { force: true });
    reset();
    const r = await run(playbook('stopped', '    - firewalld: {port: 179/tcp, state: enabled}\n      ignore_errors: true\n    - firewalld: {port: 179/tcp, state: enabled, permanent: true}\n'));
    expect(r.out).toContain('firewalld is not running, so runtime changes are impossible');
    expect(r.out).toMatch(/changed=1 /);
    expect(items('permanent')).toContain('port=179_tcp');
  });

  it('refuses bad arguments and reports firewall-cmd errors', async () => {
    writeFileSync(join(state, 'running'), '');
    const two = await run(playbook('two', '    - firewalld: {port: 80/tcp, service: http, state: enabled}\n'));
    expect(two.out).toContain('service and port cannot be used together');
    const port = await run(playbook('badport', '    - firewalld: {port: "80", state: enabled}\n'));
    expect(port.out).toContain('port must be PORT/PROTOCOL');
    const zone = await run(playbook('badzone', '    - firewalld: {port: 80/tcp, zone: nowhere, state: enabled}\n'));
    expect(zone.out).toContain('INVALID_ZONE: nowhere');
  });
});

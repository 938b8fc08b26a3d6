/**
 * Ansible Vault, differential against Debian's ansible-vault / ansible-playbook 2.14 both ways:
 * - files and strings encrypted by ansible-vault (1.1 and 1.2 with vault ids) are read by
 *   philote wherever Ansible reads them here: vars_files, include_vars, group_vars, inline
 *   !vault, with --vault-password-file, --vault-id ID@FILE, a password script and a *-client
 *   script; the same debug output as ansible-playbook, vault/unvault filters (with a salt the
 *   vault filter's text is byte for byte Ansible's), the vault_encrypted test;
 * - text encrypted by philote is opened by ansible-vault view;
 * - a wrong or missing password fails in both with "Decryption failed"/no secrets;
 * - no_log hides the decrypted value, and the passwords never appear in any output.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encrypt } from '../../src/vault/cipher.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'phl-vault-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PW_DEFAULT = 'correct horse battery';
const PW_PROD = 'prod-Secret-42';
const hasVault = spawnSync('ansible-vault', ['--version']).status === 0;

const f = (name: string, text: string, mode = 0o600): string => {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text, { mode });
  return p;
};
const vaultCli = (...args: string[]) => execFileSync('ansible-vault', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
const msgs = (out: string) => [...out.matchAll(/^ok: \[localhost\] => \{\n\s+"msg": ([\s\S]*?)\n\}$/gm)].map((m) => m[1]);

describe.skipIf(!hasVault)('Ansible Vault (differential against ansible-vault and ansible-playbook 2.14)', () => {
  const pwDefault = f('pw-default.txt', `${PW_DEFAULT}\n`);
  const pwProd = f('pw-prod.txt', `  ${PW_PROD}  \n`);
  const script = f('pw-script.sh', `#!/bin/sh\necho '${PW_DEFAULT}'\n`, 0o700);
  const client = f('pw-client.sh', `#!/bin/sh\n[ "$1" = --vault-id ] && [ "$2" = prod ] && echo '${PW_PROD}' && exit 0\nexit 2\n`, 0o700);

  // Encrypted by ansible-vault: a vars file with vault id prod (1.2), group_vars and an
  // include_vars file with the default id (1.1), an inline string (encrypt_string).
  f('vars/secrets.yml', 'db_password: "p@ss: w0rd"\napi_tokens: [t1, t2]\n');
  vaultCli('encrypt', '--vault-id', `prod@${pwProd}`, 'vars/secrets.yml');
  f('group_vars/all.yml', 'k3s_token: K10-cluster-token\n');
  vaultCli('encrypt', '--vault-password-file', pwDefault, 'group_vars/all.yml');
  f('vars/more.yml', 'registry_pass: hunter2\n');
  vaultCli('encrypt', '--vault-password-file', pwDefault, 'vars/more.yml');
  const inline = vaultCli('encrypt_string', '--vault-password-file', pwDefault, 'inline-secret-value', '--name', 'inline_secret');
  f('inventory.ini', 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
  const play = f(
    'site.yml',
    `- hosts: localhost
  gather_facts: false
  vars_files: [vars/secrets.yml]
  vars:
${inline.replace(/^/gm, '    ').trimEnd()}
    plain: not-a-secret
  tasks:
    - include_vars: vars/more.yml
    - debug: {msg: "{{ [db_password, api_tokens, k3s_token, registry_pass, inline_secret] }}"}
    - debug: {msg: "{{ [inline_secret is vault_encrypted, plain is vault_encrypted, inline_secret | length] }}"}
    - debug: {msg: "{{ 'to-hide' | vault('filter-pw', salt='0123456789abcdef') }}"}
    - debug: {msg: "{{ 'round trip' | vault('filter-pw') | unvault('filter-pw') }}"}
    - debug: {msg: "{{ db_password }}"}
      no_log: true
`,
  );
  const both = async (args: string[]) => {
    const ans = spawnSync('ansible-playbook', ['-i', 'inventory.ini', ...args, play], { cwd: dir, encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: '0' } });
    const ours = await runCli(['playbook', '-i', 'inventory.ini', ...args, play], { cwd: dir });
    return { ans: { code: ans.status, out: ans.stdout + ans.stderr }, ours: { code: ours.code, out: ours.out + ours.err } };
  };

  it('reads what ansible-vault encrypted, with password files, vault ids and scripts, as ansible-playbook does', async () => {
    for (const args of [
      ['--vault-id', `prod@${pwProd}`, '--vault-password-file', pwDefault],
      ['--vault-id', `prod@${client}`, '--vault-id', script],
      ['--vault-password-file', pwProd, '--vault-password-file', pwDefault],
    ]) {
      const { ans, ours } = await both(args);
      expect(ans.code, ans.out).toBe(0);
      expect(ours.code, ours.out).toBe(0);
      expect(msgs(ours.out), ours.out).toEqual(msgs(ans.out));
      expect(msgs(ours.out)[0]).toContain('"p@ss: w0rd"');
      expect(msgs(ours.out)[1]).toMatch(/true,\s+false,\s+19/);
      expect(ours.out).toContain('"censored": "the output has been hidden due to the fact that \'no_log: true\' was specified for this result"');
      for (const secret of [PW_DEFAULT, PW_PROD]) expect(ours.out).not.toContain(secret);
      expect(ours.out.match(/p@ss: w0rd/g)).toHaveLength(1);
    }
  }, 120_000);

  it('copy and template open vault-encrypted src files as Ansible does', async () => {
    f('files/app.conf', 'password = s3cr3t-conf\n');
    vaultCli('encrypt', '--vault-password-file', pwDefault, 'files/app.conf');
    f('templates/app.j2', 'token = {{ k3s_token }}\n');
    vaultCli('encrypt', '--vault-password-file', pwDefault, 'templates/app.j2');
    const copyPlay = f('copy.yml', `- hosts: localhost
  gather_facts: false
  tasks:
    - copy: {src: app.conf, dest: "{{ out }}/app.conf", mode: "0600"}
    - template: {src: app.j2, dest: "{{ out }}/app.ini", mode: "0600"}
    - copy: {src: app.conf, dest: "{{ out }}/raw.conf", decrypt: false}
`);
    const outs = ['ans', 'ours'].map((n) => {
      const d = join(dir, `out-${n}`);
      mkdirSync(d);
      return d;
    });
    const args = ['-i', 'inventory.ini', '--vault-password-file', pwDefault, copyPlay];
    const ans = spawnSync('ansible-playbook', [...args, '-e', `out=${outs[0]}`], { cwd: dir, encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
    expect(ans.status, ans.stdout).toBe(0);
    const ours = await runCli(['playbook', ...args, '-e', `out=${outs[1]}`], { cwd: dir });
    expect(ours.code, ours.out).toBe(0);
    const read = (d: string, n: string) => execFileSync('cat', [join(d, n)], { encoding: 'utf8' });
    for (const n of ['app.conf', 'app.ini', 'raw.conf']) expect(read(outs[1]!, n), n).toBe(read(outs[0]!, n));
    expect(read(outs[1]!, 'app.conf')).toBe('password = s3cr3t-conf\n');
    expect(read(outs[1]!, 'app.ini')).toBe('token = K10-cluster-token\n');
    expect(read(outs[1]!, 'raw.conf')).toMatch(/^\$ANSIBLE_VAULT;1\.1;AES256\n/);
  }, 120_000);

  it('the file and unvault lookups open a vault-encrypted file as ansible-playbook does', async () => {
    f('files/token.txt', '  K10-lookup-token  \n\n');
    vaultCli('encrypt', '--vault-password-file', pwDefault, 'files/token.txt');
    const lookPlay = f('lookups.yml', `- hosts: localhost
  gather_facts: false
  tasks:
    - debug: {msg: "{{ [lookup('file', 'token.txt'), lookup('unvault', 'token.txt'), lookup('file', 'token.txt', lstrip=True)] }}"}
    - debug: {msg: "{{ lookup('unvault', 'nowhere.txt') }}"}
      ignore_errors: true
`);
    const args = ['-i', 'inventory.ini', '--vault-password-file', pwDefault, lookPlay];
    const ans = spawnSync('ansible-playbook', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
    expect(ans.status, ans.stdout).toBe(0);
    const ours = await runCli(['playbook', ...args], { cwd: dir });
    expect(ours.code, ours.out).toBe(0);
    expect(msgs(ours.out), ours.out).toEqual(msgs(ans.stdout));
    expect(msgs(ours.out)[0]).toContain('"  K10-lookup-token  \\n\\n"');
    const failure = (out: string) => out.match(/fatal: \[localhost\]: FAILED! => (.*)/)?.[1];
    expect(failure(ours.out)).toBe(failure(ans.stdout));
    expect(failure(ours.out)).toContain('Unable to find file matching');
  }, 120_000);

  it('fails like Ansible without the right password', async () => {
    const wrong = f('pw-wrong.txt', 'nope\n');
    const { ans, ours } = await both(['--vault-password-file', wrong]);
    expect(ans.code).not.toBe(0);
    expect(ours.code).not.toBe(0);
    expect(ans.out).toContain('Decryption failed (no vault secrets were found that could decrypt)');
    expect(ours.out).toContain('Decryption failed (no vault secrets were found that could decrypt)');
    expect(ours.out).not.toContain('nope');
    const none = await both([]);
    expect(none.ans.out).toContain('Attempting to decrypt but no vault secrets found');
    expect(none.ours.out).toContain('Attempting to decrypt but no vault secrets found');
    expect(none.ours.code).not.toBe(0);
  }, 120_000);

  it('writes vault text that ansible-vault opens (1.1 and 1.2 with a vault id)', () => {
    const text = 'line one\nsecond: "line"\n\u00e9t\u00e9 ✓\n';
    const a = f('ours-11.yml', encrypt(text, Buffer.from(PW_DEFAULT)));
    const b = f('ours-12.yml', encrypt(text, Buffer.from(PW_PROD), 'prod'));
    expect(vaultCli('view', '--vault-password-file', pwDefault, a)).toBe(text);
    expect(vaultCli('view', '--vault-id', `prod@${pwProd}`, b)).toBe(text);
    expect(vaultCli('view', '--vault-password-file', pwDefault, a)).toBe(text);
    // 16-byte boundary: a full block of padding.
    const c = f('ours-16.yml', encrypt('0123456789abcdef', Buffer.from(PW_DEFAULT)));
    expect(vaultCli('decrypt', '--vault-password-file', pwDefault, '--output', '-', c)).toBe('0123456789abcdef');
  }, 60_000);
});

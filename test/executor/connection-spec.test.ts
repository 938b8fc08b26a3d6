import { describe, expect, it } from 'vitest';
import { userInfo } from 'node:os';
import { becomeApplies, buildBecomeSpec, buildConnectionSpec } from '../../src/executor/connection-spec.js';
import { Collector, options } from './helpers.js';
import type { Inventory } from '../../src/inventory/types.js';

const opts = options({} as Inventory, new Collector(), { remoteUser: 'cliuser', timeoutSec: 10, hostKeyChecking: true });

describe('ConnectionSpec from host vars', () => {
  it('maps Ansible connection variables, host vars over CLI defaults', () => {
    const spec = buildConnectionSpec(
      'node1',
      {
        ansible_host: '10.0.0.5',
        ansible_port: '2222',
        ansible_user: 'ubuntu',
        ansible_ssh_private_key_file: '/k',
        ansible_ssh_pass: 'pw',
        ansible_ssh_common_args: '-o ProxyJump=bastion',
        ansible_ssh_extra_args: '-o Foo=bar',
        ansible_ssh_timeout: 7,
        ansible_ssh_retries: 2,
        host_key_checking: 'false',
      },
      opts,
    );
    expect(spec).toEqual({
      host: 'node1',
      connection: 'ssh',
      address: '10.0.0.5',
      port: 2222,
      user: 'ubuntu',
      privateKeyFile: '/k',
      password: 'pw',
      sshArgs: '-o ProxyJump=bastion -o Foo=bar',
      timeoutSec: 7,
      retries: 2,
      hostKeyChecking: false,
    });
  });
  // A host named localhost that the inventory lists is an ssh host, as in Ansible; only the
  // implicit localhost (src/inventory/data.ts) carries ansible_connection=local.
  it('defaults: inventory name as address, CLI user, a listed localhost is ssh', () => {
    expect(buildConnectionSpec('n2', {}, opts)).toMatchObject({ address: 'n2', user: 'cliuser', connection: 'ssh', hostKeyChecking: true, timeoutSec: 10 });
    expect(buildConnectionSpec('localhost', {}, opts).connection).toBe('ssh');
    expect(buildConnectionSpec('127.0.0.1', {}, opts).connection).toBe('ssh');
    expect(buildConnectionSpec('localhost', { ansible_connection: 'local' }, opts).connection).toBe('local');
    expect(buildConnectionSpec('n3', {}, opts, { connection: 'local' }).connection).toBe('local');
    expect(buildConnectionSpec('n3', { ansible_connection: 'ssh' }, opts, { connection: 'local' }).connection).toBe('ssh');
  });
  it('remote_user and port keywords: under ansible_user/ansible_port, over -u and the config', () => {
    expect(buildConnectionSpec('n4', {}, opts, { remote_user: 'kwuser', port: 2200 })).toMatchObject({ user: 'kwuser', port: 2200 });
    expect(buildConnectionSpec('n4', { ansible_user: 'varuser', ansible_port: 2300 }, opts, { remote_user: 'kwuser', port: 2200 })).toMatchObject({ user: 'varuser', port: 2300 });
    expect(buildConnectionSpec('n4', {}, opts, {}).user).toBe('cliuser');
  });
});

describe('become to the same user (ansible-core: no escalation unless become_allow_same_user)', () => {
  const root = { method: 'sudo' as const, user: 'root' };
  it('ssh: skipped only when the remote user is known and the same', () => {
    expect(becomeApplies(root, buildConnectionSpec('n', { ansible_user: 'root' }, opts), opts)).toBe(false);
    expect(becomeApplies(root, buildConnectionSpec('n', { ansible_user: 'ubuntu' }, opts), opts)).toBe(true);
    const noUser = options({} as Inventory, new Collector(), { timeoutSec: 10, hostKeyChecking: true });
    expect(becomeApplies(root, buildConnectionSpec('n', {}, noUser), noUser)).toBe(true);
    const allow = { ...opts, becomeAllowSameUser: true };
    expect(becomeApplies(root, buildConnectionSpec('n', { ansible_user: 'root' }, allow), allow)).toBe(true);
  });
  it('local: the remote user is the user running philote', () => {
    const me = userInfo().username;
    expect(becomeApplies({ method: 'sudo', user: me }, buildConnectionSpec('localhost', { ansible_connection: 'local' }, opts), opts)).toBe(false);
    expect(becomeApplies({ method: 'sudo', user: `${me}-other` }, buildConnectionSpec('localhost', { ansible_connection: 'local' }, opts), opts)).toBe(true);
  });
});

describe('BecomeSpec', () => {
  it('only when become is on; keywords over vars', () => {
    expect(buildBecomeSpec({}, {}, opts)).toBeUndefined();
    expect(buildBecomeSpec({ become: 'yes', become_user: 'postgres' }, { ansible_become_pass: 's' }, opts)).toEqual({ method: 'sudo', user: 'postgres', password: 's' });
    expect(buildBecomeSpec({}, { ansible_become: true, ansible_become_method: 'su', ansible_become_password: 'p' }, opts)).toEqual({ method: 'su', user: 'root', password: 'p' });
  });
});

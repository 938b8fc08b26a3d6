import { describe, expect, it } from 'vitest';
import { buildBecomeSpec, buildConnectionSpec } from '../../src/executor/connection-spec.js';
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
    expect(buildConnectionSpec('n3', {}, opts, 'local').connection).toBe('local');
    expect(buildConnectionSpec('n3', { ansible_connection: 'ssh' }, opts, 'local').connection).toBe('ssh');
  });
});

describe('BecomeSpec', () => {
  it('only when become is on; keywords over vars', () => {
    expect(buildBecomeSpec({}, {}, opts)).toBeUndefined();
    expect(buildBecomeSpec({ become: 'yes', become_user: 'postgres' }, { ansible_become_pass: 's' }, opts)).toEqual({ method: 'sudo', user: 'postgres', password: 's' });
    expect(buildBecomeSpec({}, { ansible_become: true, ansible_become_method: 'su', ansible_become_password: 'p' }, opts)).toEqual({ method: 'su', user: 'root', password: 'p' });
  });
});

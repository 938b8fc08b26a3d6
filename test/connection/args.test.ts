import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSshArgs, shellSplit } from '../../src/connection/ssh/args.js';
import { addKnownHost, checkHostKey, fingerprint } from '../../src/connection/ssh/known-hosts.js';
import { resolveTarget } from '../../src/connection/ssh/target.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('ssh args', () => {
  it('splits like a shell and reads -o/-i/-p/-J', () => {
    expect(shellSplit(`-o 'ProxyCommand=ssh -W %h:%p b' -i "/k y"`)).toEqual(['-o', 'ProxyCommand=ssh -W %h:%p b', '-i', '/k y']);
    const a = parseSshArgs('-o ProxyJump=u@b:2222 -oStrictHostKeyChecking=no -o "UserKnownHostsFile /x" -o Port=23 -i /k -p 24 -J j');
    expect(a.options).toMatchObject({ proxyjump: 'u@b:2222', stricthostkeychecking: 'no', userknownhostsfile: '/x', port: '23' });
    expect(a.identityFiles).toEqual(['/k']);
    expect(a.port).toBe(24);
    expect(a.proxyJump).toBe('j');
  });

  it('resolves ~/.ssh/config style files given with -F (globs, HostName, User, Port, IdentityFile, ProxyJump)', () => {
    const d = tempDir('phl-cfg-');
    const cfg = join(d, 'config');
    writeFileSync(cfg, 'Host web*\n  HostName 10.0.0.%h\n  User deploy\n  Port 2200\n  IdentityFile /keys/%r\n  ProxyJump ops@bastion:2022\n  StrictHostKeyChecking accept-new\n  UserKnownHostsFile /kh\nHost bastion\n  HostName 192.0.2.1\n');
    const t = resolveTarget({ host: 'w', connection: 'ssh', address: 'web1', sshArgs: `-F ${cfg}` });
    expect(t).toMatchObject({ hostname: '10.0.0.web1', user: 'deploy', port: 2200, strict: 'accept-new', knownHostsWrite: '/kh' });
    expect(t.identityFiles).toEqual(['/keys/deploy']);
    expect(t.jumps).toHaveLength(1);
    expect(t.jumps[0]).toMatchObject({ hostname: '192.0.2.1', user: 'ops', port: 2022 });
    // Inventory values win over the config file, as in Ansible's ssh command line.
    const t2 = resolveTarget({ host: 'w', connection: 'ssh', address: 'web1', port: 22, user: 'me', sshArgs: `-F ${cfg} -o ProxyJump=none`, hostKeyChecking: false });
    expect(t2).toMatchObject({ port: 22, user: 'me', strict: 'off', jumps: [] });
  });
});

describe('known_hosts', () => {
  const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]);
  const other = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 9)]);

  it('matches plain, bracketed-port, wildcard and hashed entries; detects changed keys', async () => {
    const d = tempDir('phl-kh-');
    const f = join(d, 'known_hosts');
    writeFileSync(f, `[127.0.0.1]:2201 ssh-ed25519 ${blob.toString('base64')}\n*.lab,!bad.lab ssh-ed25519 ${blob.toString('base64')}\n`);
    expect((await checkHostKey([f], '[127.0.0.1]:2201', blob)).status).toBe('match');
    expect((await checkHostKey([f], 'a.lab', blob)).status).toBe('match');
    expect((await checkHostKey([f], 'bad.lab', blob)).status).toBe('unknown');
    expect((await checkHostKey([f], '[127.0.0.1]:2202', blob)).status).toBe('unknown');
    expect((await checkHostKey([f], '[127.0.0.1]:2201', other)).status).toBe('changed');
    await addKnownHost(f, 'h.example', other);
    expect((await checkHostKey([f], 'h.example', other)).status).toBe('match');
    expect(fingerprint(blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

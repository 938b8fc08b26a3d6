/**
 * known_hosts lookups (src/connection/ssh/known-hosts.ts) as OpenSSH matches them, now that each
 * file is parsed once per change instead of once per connection: plain names (any case),
 * [host]:port, wildcards, negation, hashed names, @revoked, and a file that changes between two
 * lookups (an accepted new key is appended) is read again.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { addKnownHost, checkHostKey, knownKeyTypes } from '../../src/connection/ssh/known-hosts.js';

const dir = mkdtempSync(join(tmpdir(), 'philote-known-hosts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh ed25519 public key: its blob and its known_hosts text. */
function key(): { blob: Buffer; text: string } {
  const pub = ssh2.utils.generateKeyPairSync('ed25519').public.trim().split(/\s+/);
  return { blob: Buffer.from(pub[1]!, 'base64'), text: `${pub[0]} ${pub[1]}` };
}

describe('checkHostKey', () => {
  const [a, b, c, d, e] = [key(), key(), key(), key(), key()];
  const file = join(dir, 'known_hosts');
  writeFileSync(
    file,
    [
      '# comment',
      `Node1.Example,10.0.0.1 ${a.text}`,
      `[127.0.0.1]:2222 ${b.text}`,
      `*.lab,!bad.lab ${c.text}`,
      `@revoked gone.example ${d.text}`,
      '',
    ].join('\n'),
  );

  it('matches plain names in any case, each name of a list, and [host]:port', async () => {
    expect(await checkHostKey([file], 'node1.example', a.blob)).toEqual({ status: 'match' });
    expect(await checkHostKey([file], '10.0.0.1', a.blob)).toEqual({ status: 'match' });
    expect(await checkHostKey([file], '[127.0.0.1]:2222', b.blob)).toEqual({ status: 'match' });
    expect((await checkHostKey([file], '127.0.0.1', b.blob)).status).toBe('unknown');
  });

  it('a known host offering another key of the same type is "changed", naming the line', async () => {
    const r = await checkHostKey([file], '10.0.0.1', b.blob);
    expect(r.status).toBe('changed');
    expect(r.status === 'changed' && r.known.line).toBe(2);
  });

  it('wildcards and negation', async () => {
    expect(await checkHostKey([file], 'x.lab', c.blob)).toEqual({ status: 'match' });
    expect((await checkHostKey([file], 'bad.lab', c.blob)).status).toBe('unknown');
    expect(await knownKeyTypes([file], 'y.lab')).toEqual(['ssh-ed25519']);
  });

  it('@revoked wins', async () => {
    expect((await checkHostKey([file], 'gone.example', d.blob)).status).toBe('revoked');
  });

  it('reads the file again once a key was added (hashed, as accept-new writes it)', async () => {
    expect((await checkHostKey([file], 'new.example', e.blob)).status).toBe('unknown');
    await addKnownHost(file, 'new.example', e.blob);
    expect(await checkHostKey([file], 'new.example', e.blob)).toEqual({ status: 'match' });
    expect((await checkHostKey([file], 'other.example', e.blob)).status).toBe('unknown');
    appendFileSync(file, `late.example ${a.text}\n`);
    expect(await checkHostKey([file], 'late.example', a.blob)).toEqual({ status: 'match' });
  });

  it('many lookups at once share one read and agree', async () => {
    const all = await Promise.all(Array.from({ length: 50 }, () => checkHostKey([file], 'NODE1.example', a.blob)));
    for (const r of all) expect(r).toEqual({ status: 'match' });
  });
});

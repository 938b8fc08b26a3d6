/**
 * The ssh transport against TCP peers that misbehave before the SSH banner: a real loopback TCP
 * server that resets, closes or stays silent (no sshd can be made to do these on demand), and the
 * words OpenSSH 9 prints for each (checked with `ssh` on this machine; ansible-playbook shows them
 * after "Failed to connect to the host via ssh: "). The same cases run against lab nodes and
 * ansible-playbook in test/faults/connection.test.ts.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openSshConnection } from '../../src/connection/ssh/index.js';
import { UnreachableError } from '../../src/errors.js';
import { channelOpenWords, lostWords } from '../../src/connection/ssh/openssh-words.js';

let server: Server | undefined;
const sockets = new Set<Socket>();

function peer(behaviour: 'reset' | 'close' | 'silent'): Promise<number> {
  server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    if (behaviour === 'reset') s.resetAndDestroy();
    else if (behaviour === 'close') s.end();
  });
  return new Promise((r) => server!.listen(0, '127.0.0.1', () => r((server!.address() as { port: number }).port)));
}

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function dialError(port: number, timeoutSec = 10): Promise<UnreachableError> {
  const err = await openSshConnection({ host: 'h', connection: 'ssh', address: '127.0.0.1', port, user: 'u', password: 'unused', timeoutSec, hostKeyChecking: false, sshArgs: '-o StrictHostKeyChecking=no' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnreachableError);
  return err as UnreachableError;
}

describe('dialling a peer that fails before the banner', () => {
  it('reset: kex_exchange_identification ... Connection reset by peer', async () => {
    const port = await peer('reset');
    expect((await dialError(port)).message).toBe(
      `Failed to connect to the host via ssh: kex_exchange_identification: read: Connection reset by peer\r\nConnection reset by 127.0.0.1 port ${port}`,
    );
  });
  it('close: kex_exchange_identification: Connection closed by remote host', async () => {
    const port = await peer('close');
    expect((await dialError(port)).message).toBe(
      `Failed to connect to the host via ssh: kex_exchange_identification: Connection closed by remote host\r\nConnection closed by 127.0.0.1 port ${port}`,
    );
  });
  it('silence: Connection timed out during banner exchange, after the connect timeout', async () => {
    const port = await peer('silent');
    const t0 = Date.now();
    expect((await dialError(port, 1)).message).toBe(
      `Failed to connect to the host via ssh: Connection timed out during banner exchange\r\nConnection to 127.0.0.1 port ${port} timed out`,
    );
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('OpenSSH words for a dropped session and a refused channel', () => {
  const p = { hostname: '10.0.0.5', port: 22 };
  it('names reset, keepalive loss and a close by the peer', () => {
    expect(lostWords(p, Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), false)).toBe('Connection reset by 10.0.0.5 port 22');
    expect(lostWords(p, new Error('Keepalive timeout'), false)).toBe('Timeout, server 10.0.0.5 not responding.');
    expect(lostWords(p, undefined, false)).toBe('Connection to 10.0.0.5 closed by remote host.');
  });
  it('words a refused session as the mux client of a ControlMaster does', () => {
    expect(channelOpenWords(true)).toBe('mux_client_request_session: session request failed: Session open refused by peer\r\nFailed to connect to new control master');
    expect(channelOpenWords(false)).toBe('mux_client_request_session: session request failed: Session open refused by peer');
  });
});

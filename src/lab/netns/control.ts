/** Client side of the lab daemon's control socket (<labdir>/control.sock, one JSON line each way). */
import { connect } from 'node:net';
import { paths } from './layout.js';
import type { ControlReply, ControlRequest } from './daemon-protocol.js';

export function controlRequest(dir: string, req: ControlRequest, timeoutMs = 15000): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const sock = connect(paths(dir).control);
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`lab daemon did not answer '${req.op}' within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('connect', () => sock.write(JSON.stringify(req) + '\n'));
    sock.on('data', (d) => (buf += d.toString()));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`lab daemon not reachable at ${paths(dir).control}: ${e.message}`));
    });
    sock.on('close', () => {
      clearTimeout(timer);
      try {
        const reply = JSON.parse(buf) as ControlReply;
        if (!reply.ok) reject(new Error(reply.error ?? `lab '${req.op}' failed`));
        else resolve(reply);
      } catch {
        reject(new Error(`lab daemon gave no answer to '${req.op}'`));
      }
    });
  });
}

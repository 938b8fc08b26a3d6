#!/usr/bin/env node
/**
 * The one-exec-per-task floor of `npm run bench`: one ssh2 connection per node running `true`
 * once per task (16 per node), all nodes at once, Nagle off from the handshake as philote does.
 * Two ways, both reported by scripts/bench.js:
 * - in the bench's own process (floorRun), warm after the first rep: no Node start, no module
 *   loading, ssh2 already compiled by V8; the floor the goals were first measured against;
 * - as a process of its own, started for each rep (this file as a command), paying what philote
 *   pays on every run: Node's start, loading ssh2, and V8 compiling it cold.
 *
 *   node scripts/bench-floor.js '{"user":"phl","keyPath":"...","ports":[2201,...],"execs":16}'
 * prints the wall time of the connections and execs in ms (Node's start is measured by the caller).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function floorRun(lab, execsPerNode) {
  const { default: ssh2 } = await import('ssh2');
  const key = readFileSync(lab.keyPath);
  const t0 = process.hrtime.bigint();
  await Promise.all(
    lab.nodes.map(
      (n) =>
        new Promise((res, rej) => {
          const c = new ssh2.Client();
          c.on('error', rej);
          c.on('ready', async () => {
            try {
              for (let i = 0; i < execsPerNode; i++) {
                await new Promise((r2, j2) =>
                  c.exec('true', (e, ch) => {
                    if (e) return j2(e);
                    ch.on('close', r2).resume();
                    ch.stderr.resume();
                  }),
                );
              }
              c.end();
              res();
            } catch (e) {
              rej(e);
            }
          });
          // Hundreds of handshakes at once through the nodes' relays on 2 cores take longer than ssh2's 20 s default.
          c.connect({ host: '127.0.0.1', port: n.sshPort, username: lab.user, privateKey: key, readyTimeout: 180_000 });
          // As philote does (src/connection/ssh/dial.ts): Nagle off from the handshake on.
          c.setNoDelay(true);
        }),
    ),
  );
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const spec = JSON.parse(process.argv[2]);
  const ms = await floorRun({ user: spec.user, keyPath: spec.keyPath, nodes: spec.ports.map((sshPort) => ({ sshPort })) }, spec.execs);
  console.log(ms.toFixed(1));
}

/**
 * Data safety of copy on a lab node with its bandwidth limited by tc (inside the node's namespace)
 * so faults land mid-transfer: the controller SIGKILLed at two points, SIGINT once, the connection
 * reset once, and lineinfile on a 10 MB file killed while it writes. Each time the destination is
 * the old file or the new one, never a mix; the temp file beside it is 0600 while the content
 * streams in (dest is asked to be 0600) and is gone afterwards; a re-run converges.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/lab/index.js';
import { uniqueLabName } from '../helpers/lab-name.js';
import { labInventory, recapLine, startPhilote, unreachableLine } from './run.js';

const isRoot = process.platform === 'linux' && process.getuid?.() === 0;
let lab: Lab;
let dir: string;
const DEST_DIR = '/var/lib/phl/fltcopy';
const DEST = `${DEST_DIR}/big.bin`;
const OLD = Buffer.alloc(64 * 1024, 'o');
const NEW = randomBytes(10 * 1024 * 1024);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** sha256 of dest, and every temp file left beside it. */
async function nodeState(): Promise<{ sum: string; leftovers: string[] }> {
  const r = await lab.exec('node1', `sha256sum ${DEST} | cut -d' ' -f1; ls -A ${DEST_DIR}`);
  const [sum, ...files] = r.stdout.trim().split('\n');
  return { sum: sum!, leftovers: files.filter((f) => f !== 'big.bin' && f !== 'big.txt') };
}

/** Polls the temp file's mode while the transfer runs; `started` resolves when it first exists. */
function watchTempModes(): { started: Promise<void>; stop(): Promise<Set<string>> } {
  const modes = new Set<string>();
  let on = true;
  let seen: () => void = () => undefined;
  const started = new Promise<void>((r) => (seen = r));
  const loop = (async () => {
    while (on) {
      const r = await lab.exec('node1', `stat -c %a ${DEST_DIR}/.philote.* 2>/dev/null`);
      for (const m of r.stdout.split('\n').filter(Boolean)) modes.add(m);
      if (modes.size) seen();
      await new Promise((res) => setTimeout(res, 100));
    }
  })();
  return {
    started,
    async stop() {
      on = false;
      await loop;
      return modes;
    },
  };
}

async function waitForNoLeftovers(): Promise<{ sum: string; leftovers: string[] }> {
  let s = await nodeState();
  // The node-side script notices the end of its stdin and removes the temp file.
  for (let i = 0; i < 50 && s.leftovers.length; i++) {
    await new Promise((r) => setTimeout(r, 100));
    s = await nodeState();
  }
  return s;
}

describe.skipIf(!isRoot)('copy under faults', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('fltcopy'), nodes: 1 });
    dir = mkdtempSync(join(tmpdir(), 'phl-fltcopy-'));
    writeFileSync(join(dir, 'big.bin'), NEW);
    writeFileSync(join(dir, 'inv.ini'), labInventory(lab, { node1: '' }));
    writeFileSync(join(dir, 'copy.yml'), `- hosts: node1\n  gather_facts: false\n  tasks:\n    - copy: {src: big.bin, dest: ${DEST}, mode: '0600'}\n`);
    // ~10 MB at 40 Mbit/s: about two seconds of transfer to land faults in.
    await lab.exec('node1', 'tc qdisc add dev lo root tbf rate 40mbit burst 256kb latency 2s');
  }, 120_000);
  afterAll(async () => {
    await lab?.down();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const reset = async () => {
    await lab.exec('node1', `mkdir -p ${DEST_DIR} && chown phl ${DEST_DIR} && printf '%s' '${OLD.toString()}' > ${DEST} && chown phl ${DEST}`);
    expect((await nodeState()).sum).toBe(sha(OLD));
  };

  for (const [signal, afterMs] of [['SIGKILL', 200], ['SIGKILL', 1200], ['SIGINT', 400]] as const) {
    it(`${signal} ${afterMs} ms into the transfer leaves the old file or the new one, never part of it`, async () => {
      await reset();
      const run = startPhilote(['playbook', '-i', 'inv.ini', 'copy.yml'], { cwd: dir });
      await run.waitFor(/TASK \[copy\]/);
      const modes = watchTempModes();
      await modes.started;
      await new Promise((r) => setTimeout(r, afterMs));
      run.child.kill(signal);
      const r = await run.done;
      const seen = await modes.stop();
      const s = await waitForNoLeftovers();
      expect(s.leftovers).toEqual([]);
      // The fault landed mid-transfer (the temp file existed), and it was never readable by others.
      expect([...seen]).toEqual(['600']);
      if (signal === 'SIGKILL') {
        expect(r.signal).toBe('SIGKILL');
        expect(s.sum).toBe(sha(OLD));
      } else {
        // Ctrl-C lets the running task finish, as ansible-playbook does, then stops: the new file, whole.
        expect(s.sum).toBe(sha(NEW));
        expect(r.out).toContain('PLAY RECAP');
      }
    }, 60_000);
  }

  it('SIGKILL while lineinfile writes a 10 MB file back leaves the old file', async () => {
    const txt = `${DEST_DIR}/big.txt`;
    await lab.exec('node1', `mkdir -p ${DEST_DIR} && chown phl ${DEST_DIR} && yes 'a line of some text' | head -c 10M > ${txt} && chown phl ${txt}`);
    const before = (await lab.exec('node1', `sha256sum ${txt}`)).stdout;
    writeFileSync(join(dir, 'line.yml'), `- hosts: node1\n  gather_facts: false\n  tasks:\n    - lineinfile: {path: ${txt}, line: the added line}\n`);
    const run = startPhilote(['playbook', '-i', 'inv.ini', 'line.yml'], { cwd: dir });
    await run.waitFor(/TASK \[lineinfile\]/);
    const modes = watchTempModes();
    await modes.started;
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill('SIGKILL');
    await run.done;
    expect([...(await modes.stop())]).toEqual(['600']);
    const s = await waitForNoLeftovers();
    expect(s.leftovers.filter((f) => f !== 'big.txt')).toEqual([]);
    expect((await lab.exec('node1', `sha256sum ${txt}`)).stdout).toBe(before);
  }, 60_000);

  it('a connection reset mid-transfer makes the host UNREACHABLE and leaves the old file; a re-run converges', async () => {
    await reset();
    const run = startPhilote(['playbook', '-i', 'inv.ini', 'copy.yml'], { cwd: dir });
    await run.waitFor(/TASK \[copy\]/);
    const modes = watchTempModes();
    await modes.started;
    await new Promise((r) => setTimeout(r, 500));
    await lab.reset('node1');
    const r = await run.done;
    expect([...(await modes.stop())]).toEqual(['600']);
    await lab.start('node1');
    expect(r.code).toBe(4);
    expect(unreachableLine(r.out, 'node1')).toContain('"msg": "Failed to connect to the host via ssh: Shared connection to 127.0.0.1 closed."');
    const s = await waitForNoLeftovers();
    expect(s).toEqual({ sum: sha(OLD), leftovers: [] });

    const again = await startPhilote(['playbook', '-i', 'inv.ini', 'copy.yml'], { cwd: dir }).done;
    expect(again.code).toBe(0);
    expect(recapLine(again.out, 'node1')).toMatch(/ok=1 changed=1 unreachable=0 failed=0/);
    expect(await nodeState()).toEqual({ sum: sha(NEW), leftovers: [] });
    expect((await lab.exec('node1', `stat -c %a ${DEST}`)).stdout.trim()).toBe('600');
  }, 90_000);
});

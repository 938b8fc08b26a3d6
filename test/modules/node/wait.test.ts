import { createServer } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rebootModule } from '../../../src/modules/node/reboot.js';
import { waitForConnectionModule } from '../../../src/modules/node/wait-for-connection.js';
import { waitForModule } from '../../../src/modules/node/wait-for.js';
import { runModule, tempDir } from './helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());

describe('wait_for', () => {
  it('waits for a loopback port to open and to close', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    expect(await runModule(waitForModule, { port, timeout: 5 })).toMatchObject({ changed: false, port, state: 'started' });
    const closed = runModule(waitForModule, { port, state: 'stopped', timeout: 10 });
    setTimeout(() => srv.close(), 1200);
    const r = await closed;
    expect(r.failed).toBeUndefined();
    expect(r['elapsed']).toBeGreaterThanOrEqual(1);
    const to = await runModule(waitForModule, { port, timeout: 1 });
    expect(to).toMatchObject({ failed: true, msg: `Timeout when waiting for 127.0.0.1:${port}` });
  });
  it('waits for a file and a regex in it', async () => {
    const p = join(t.dir, 'token');
    setTimeout(() => writeFileSync(p, 'starting\n'), 500);
    setTimeout(() => writeFileSync(p, 'starting\nready: yes\n'), 1500);
    const r = await runModule(waitForModule, { path: p, search_regex: 'ready: (yes|no)', timeout: 10 });
    expect(r).toMatchObject({ changed: false, path: p });
    expect(readFileSync(p, 'utf8')).toContain('ready');
    await expect(runModule(waitForModule, { port: 1, path: p })).rejects.toThrow(/port and path are mutually exclusive/);
  });
  it('wait_for_connection answers at once on a live connection', async () => {
    expect(await runModule(waitForConnectionModule, { timeout: 5 })).toMatchObject({ changed: false, elapsed: 0 });
  });
});

describe('reboot', () => {
  it('runs the reboot command, waits for a new boot id and the test command, reports elapsed', async () => {
    const id = join(t.dir, 'boot_id');
    writeFileSync(id, 'boot-1\n');
    // A stand-in for a reboot: the boot id changes 1.5 s later, in the background.
    const reboot = `(sleep 1.5; echo boot-2 > ${id}) >/dev/null 2>&1 &`;
    const r = await runModule(rebootModule, { reboot_command: reboot, boot_time_command: `cat ${id}`, test_command: `grep -q boot-2 ${id}`, reboot_timeout: 20 });
    expect(r).toMatchObject({ changed: true, rebooted: true });
    expect(r['elapsed']).toBeGreaterThanOrEqual(1);
    expect(r['elapsed']).toBeLessThan(10);
  });
  it('check mode runs nothing; a boot id that never changes times out', async () => {
    const id = join(t.dir, 'boot_id2');
    writeFileSync(id, 'same\n');
    const c = await runModule(rebootModule, { reboot_command: `echo x > ${id}`, boot_time_command: `cat ${id}` }, { check: true });
    expect(c).toMatchObject({ changed: true, rebooted: true, elapsed: 0 });
    expect(readFileSync(id, 'utf8')).toBe('same\n');
    const r = await runModule(rebootModule, { reboot_command: 'true', boot_time_command: `cat ${id}`, reboot_timeout: 2 });
    expect(r).toMatchObject({ failed: true });
    expect(String(r.msg)).toMatch(/Timed out waiting for last boot time check \(timeout=2\)/);
  });
});

/**
 * The reboot module on lab nodes one at a time (serial: 1), over SSH: each node's boot id
 * changes, the run reconnects and goes on, every result reports rebooted and elapsed, and the
 * batches ran in turn (each node rebooted and checked before the next). Check mode reboots nothing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/lab/index.js';
import { uniqueLabName } from '../helpers/lab-name.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

let lab: Lab;
const dir = tempDir('phl-reboot-');
const bootIds = async () => Promise.all(lab.nodes.map(async (n) => (await lab.exec(n.name, 'cat /var/lib/lab/boot_id')).stdout.trim()));

describe('reboot, serial 1, on lab nodes', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('rebootmods'), nodes: 3 });
  }, 120_000);
  afterAll(async () => {
    await lab?.down();
  });

  it('reboots each node in turn, reconnects, and reports elapsed; check mode reboots nothing', async () => {
    const p = join(dir, 'reboot.yml');
    writeFileSync(
      p,
      `- hosts: nodes
  serial: 1
  gather_facts: false
  become: true
  tasks:
    - reboot: {reboot_command: /var/lib/lab/reboot, boot_time_command: cat /var/lib/lab/boot_id, reboot_timeout: 60}
      register: r
    - command: cat /var/lib/lab/boot_id
      register: after
    - debug: msg="{{ inventory_hostname }} rebooted={{ r.rebooted }} elapsed={{ r.elapsed }} {{ after.stdout | length }}"
`,
    );
    const before = await bootIds();
    const check = await runCli(['playbook', '-i', lab.inventoryPath, '--check', p]);
    expect(check.code, check.out).toBe(0);
    expect(await bootIds()).toEqual(before);

    const r = await runCli(['playbook', '-i', lab.inventoryPath, p]);
    expect(r.code, r.out).toBe(0);
    const after = await bootIds();
    after.forEach((id, i) => expect(id, lab.nodes[i]!.name).not.toBe(before[i]));
    const lines = [...r.out.matchAll(/"msg": "(node\d) rebooted=True elapsed=(\d+) \d+"/g)];
    expect(lines.map((m) => m[1])).toEqual(['node1', 'node2', 'node3']);
    for (const m of lines) expect(Number(m[2])).toBeGreaterThanOrEqual(0);
    // A PLAY banner per serial batch, as ansible-playbook prints it (the play starts again for
    // every batch); one reboot per node.
    expect(r.out.match(/^PLAY \[nodes\]/gm)).toHaveLength(3);
    expect(r.out).toMatch(/node3\s+: ok=3\s+changed=2/);
  }, 180_000);
});

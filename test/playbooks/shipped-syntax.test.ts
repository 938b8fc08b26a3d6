/**
 * The shipped playbooks are plain Ansible: ansible-playbook (Debian's ansible-core
 * with the `ansible` collections) must accept them with --syntax-check and list
 * their tasks. Runs the real ansible-playbook; skipped only where it is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = join(import.meta.dirname, '..', '..');
const playbookDir = join(root, 'playbooks');
const inventory = join(root, 'inventory', 'homelab');
const hasAnsible = spawnSync('ansible-playbook', ['--version']).status === 0;
const playbooks = readdirSync(playbookDir).filter((f) => f.endsWith('.yml'));

describe.skipIf(!hasAnsible)('shipped playbooks under ansible-playbook', () => {
  it('ships the playbooks the migrations need', () => {
    expect(playbooks).toEqual(
      expect.arrayContaining([
        'backup.yml',
        'calico-node-cleanup.yml',
        'calico-to-cilium-live.yml',
        'calico-to-cilium.yml',
        'k3s-firewall.yml',
        'k3s-flannel-to-calico.yml',
        'rollback-to-calico.yml',
      ]),
    );
  });

  it.each(playbooks)('%s passes --syntax-check', (file) => {
    const out = execFileSync('ansible-playbook', ['-i', inventory, '--syntax-check', file], {
      cwd: playbookDir,
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_NOCOLOR: '1' },
    });
    expect(out).toContain(`playbook: ${file}`);
  });

  it('runs the live migration\'s node play on workers first, control plane last, one at a time', () => {
    // --list-hosts prints hosts in no fixed order, so run a play with the shipped
    // play's own `hosts` and `serial` (connection local, debug only) and read the order.
    const plays = parse(readFileSync(join(playbookDir, 'calico-to-cilium-live.yml'), 'utf8')) as Array<Record<string, unknown>>;
    const nodePlay = plays.find((p) => p.serial === 1)!;
    const dir = tempDir('phl-order-');
    const probe = join(dir, 'order.yml');
    writeFileSync(
      probe,
      stringify([{ hosts: nodePlay.hosts, serial: nodePlay.serial, gather_facts: false, connection: 'local', tasks: [{ debug: { msg: 'x' } }] }]),
    );
    const out = execFileSync('ansible-playbook', ['-i', inventory, probe], { encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
    const order = [...out.matchAll(/^ok: \[(\w+)\]/gm)].map((m) => m[1]);
    expect(order).toEqual(['w1', 'w2', 'w3', 'cp1']);
    expect(out.match(/^TASK \[debug\]/gm)).toHaveLength(4);
  });

  it.each(playbooks)('%s: philote --syntax-check accepts it and --list-tasks matches ansible-playbook', async (file) => {
    const syntax = await runCli(['playbook', '-i', inventory, '--syntax-check', file], { cwd: playbookDir });
    expect(syntax.code, syntax.out + syntax.err).toBe(0);
    expect(syntax.out).toContain(`playbook: ${file}`);
    const ours = await runCli(['playbook', '-i', inventory, '--list-tasks', file], { cwd: playbookDir });
    expect(ours.code, ours.err).toBe(0);
    const theirs = execFileSync('ansible-playbook', ['-i', inventory, '--list-tasks', file], { cwd: playbookDir, encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
    const tasks = (s: string) => s.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
    expect(tasks(ours.out)).toEqual(tasks(theirs));
  });
});

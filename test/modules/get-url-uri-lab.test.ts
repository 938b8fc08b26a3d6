/**
 * get_url and uri in lab nodes, over SSH: node1 serves files with Python's http.server on its lab
 * address (inside its own network namespace); node2 downloads and queries it with curl. Only lab
 * addresses are contacted. The server is stopped by its PID.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/lab/index.js';
import { uniqueLabName } from '../helpers/lab-name.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

let lab: Lab;
let serverPid = '';
let base = '';
const dir = tempDir('phl-geturl-');
const payload = '#!/bin/sh\necho k3s installer stand-in\n';
const sha256 = createHash('sha256').update(payload).digest('hex');

function playbook(name: string, tasks: string): string {
  const p = join(dir, `${name}.yml`);
  writeFileSync(p, `- hosts: node2\n  gather_facts: false\n  become: true\n  tasks:\n${tasks}`);
  return p;
}

describe('get_url and uri from a lab node', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('urlmods'), nodes: 2 });
    const addr = lab.nodes[0]!.address.split('/')[0]!;
    base = `http://${addr}:8080`;
    await lab.exec('node1', `mkdir -p /var/lib/www && printf '%b' '${payload.replace(/\n/g, '\\n')}' > /var/lib/www/install.sh && printf '{"ready": true, "nodes": 4}' > /var/lib/www/status.json`);
    serverPid = (await lab.exec('node1', `cd /var/lib/www && nohup python3 -m http.server 8080 --bind ${addr} >/dev/null 2>&1 & echo $!`)).stdout.trim();
    await lab.exec('node2', `for i in $(seq 50); do curl -s -o /dev/null ${base}/status.json && break; sleep 0.1; done`);
  }, 120_000);
  afterAll(async () => {
    if (/^\d+$/.test(serverPid)) await lab?.exec('node1', `kill ${serverPid}`).catch(() => undefined);
    await lab?.down();
  });

  it('get_url downloads with a checksum, keeps an existing file, refuses a wrong checksum; check mode downloads nothing', async () => {
    const tasks = `    - get_url: {url: "${base}/install.sh", dest: /var/lib/k3s-install.sh, mode: "0755", checksum: "sha256:${sha256}"}
      register: g
    - debug: msg="{{ g.changed }} {{ g.dest }}"
`;
    const check = await runCli(['playbook', '-i', lab.inventoryPath, '--check', playbook('check', tasks)]);
    expect(check.code, check.out).toBe(0);
    expect((await lab.exec('node2', 'ls /var/lib/k3s-install.sh 2>&1 || true')).stdout).toContain('No such file');
    const first = await runCli(['playbook', '-i', lab.inventoryPath, playbook('get', tasks)]);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain('"msg": "True /var/lib/k3s-install.sh"');
    expect((await lab.exec('node2', 'stat -c %a /var/lib/k3s-install.sh; cat /var/lib/k3s-install.sh')).stdout).toBe(`755\n${payload}`);
    const again = await runCli(['playbook', '-i', lab.inventoryPath, playbook('get', tasks)]);
    expect(again.out).toContain('"msg": "False /var/lib/k3s-install.sh"');
    const bad = await runCli(['playbook', '-i', lab.inventoryPath, playbook('bad', `    - get_url: {url: "${base}/install.sh", dest: /var/lib/other.sh, checksum: "sha256:${'0'.repeat(64)}"}\n`)]);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('did not match');
  }, 60_000);

  it('uri returns status, JSON and headers, and fails on an unexpected status', async () => {
    const ok = await runCli([
      'playbook', '-i', lab.inventoryPath,
      playbook('uri', `    - uri: {url: "${base}/status.json", return_content: true}\n      register: r\n    - debug: msg="{{ r.status }} {{ r.json.ready }} {{ r.json.nodes }} {{ r.content_type }} {{ r.changed }}"\n`),
    ]);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain('"msg": "200 True 4 application/json False"');
    const missing = await runCli(['playbook', '-i', lab.inventoryPath, playbook('missing', `    - uri: {url: "${base}/nope"}\n`)]);
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('Status code was 404 and not [200]');
    const allowed = await runCli(['playbook', '-i', lab.inventoryPath, playbook('allowed', `    - uri: {url: "${base}/nope", status_code: [200, 404]}\n`)]);
    expect(allowed.code, allowed.out).toBe(0);
  }, 60_000);
});

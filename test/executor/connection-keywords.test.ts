/**
 * The remote_user and port keywords reach the connection, rendered, under the connection
 * variables (seen in the -vvvv trace of a dial to a closed loopback port, which fails at once).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'phl-conn-kw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('connection keywords', () => {
  it('remote_user and port keywords apply, templated; ansible_user and ansible_port win over them', async () => {
    writeFileSync(join(dir, 'inv.ini'), '[all:vars]\nansible_password=not-used\n[hosts]\nkw ansible_host=127.0.0.1\nvars ansible_host=127.0.0.1 ansible_user=varuser ansible_port=2\n');
    writeFileSync(
      join(dir, 'pb.yml'),
      '- hosts: all\n  gather_facts: false\n  remote_user: "{{ who }}"\n  port: "{{ 1 }}"\n  vars: {who: kwuser}\n  tasks:\n    - ping:\n',
    );
    const r = await runCli(['playbook', '-vvvv', '-i', join(dir, 'inv.ini'), join(dir, 'pb.yml')], { cwd: dir, env: { ANSIBLE_HOST_KEY_CHECKING: 'False' } });
    expect(r.code, r.out + r.err).toBe(4);
    const trace = r.out.split('\n').filter((l) => l.startsWith('<127.0.0.1> '));
    expect(trace).toContain('<127.0.0.1> ESTABLISH SSH CONNECTION FOR USER: kwuser');
    expect(trace).toContain('<127.0.0.1> ESTABLISH SSH CONNECTION FOR USER: varuser');
    expect(trace.some((l) => /SSH: connecting to 127\.0\.0\.1 port 1,/.test(l))).toBe(true);
    expect(trace.some((l) => /SSH: connecting to 127\.0\.0\.1 port 2,/.test(l))).toBe(true);
  }, 60_000);
});

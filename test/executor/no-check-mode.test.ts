/**
 * Modules Ansible declares without check mode support (uri, tempfile, wait_for_connection, raw)
 * are skipped in check mode without running: registered results and -v lines as
 * ansible-playbook 2.14 prints them, and a local HTTP server sees no request from uri in check
 * mode (one without it). Both tools run on the implicit localhost.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir = '';
let server: Server;
let port = 0;
const requests: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phl-nocheck-'));
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  writeFileSync(
    join(dir, 'play.yml'),
    `- hosts: localhost
  gather_facts: false
  tasks:
    - uri: { url: "http://127.0.0.1:${port}/hook", method: POST, body: x }
      register: u
    - tempfile: { path: ${dir}/t }
      register: t
    - wait_for_connection: { timeout: 2 }
      register: w
    - raw: "true"
      register: r
    - debug: { msg: "{{ [u, t, w, r] }}" }
`,
  );
  mkdirSync(join(dir, 't'));
});
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function lastMsg(out: string): unknown {
  const json = JSON.parse(out) as { plays: Array<{ tasks: Array<{ hosts: Record<string, { msg?: unknown }> }> }> };
  return json.plays[0]!.tasks.at(-1)!.hosts['localhost']!.msg;
}

describe('modules without check mode support', () => {
  it('are skipped in check mode as ansible-playbook skips them, and never run', async () => {
    const env = { ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: 'false', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false', HOME: dir };
    const ans = spawnSync('ansible-playbook', ['play.yml', '--check'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    expect(ans.status).toBe(0);
    const ours = await runCli(['playbook', 'play.yml', '--check'], { cwd: dir, env });
    expect(ours.code).toBe(0);
    const want = lastMsg(ans.stdout);
    expect(lastMsg(ours.out)).toEqual(want);
    expect(want).toEqual([
      { changed: false, failed: false, skipped: true, msg: 'remote module (ansible.legacy.uri) does not support check mode' },
      { changed: false, failed: false, skipped: true, msg: 'remote module (tempfile) does not support check mode' },
      { changed: false, failed: false, skipped: true },
      { changed: false, failed: false, skipped: true },
    ]);
    expect(requests).toEqual([]);
    expect(readdirSync(join(dir, 't'))).toEqual([]);
    // Without --check the request is made and the temp file created.
    const real = await runCli(['playbook', 'play.yml'], { cwd: dir, env });
    expect(real.code).toBe(0);
    expect(requests).toEqual([`POST /hook`]);
    expect(readdirSync(join(dir, 't'))).toHaveLength(1);
  }, 60_000);
});

/**
 * Secrets on a lab node: uri with url_password and with an Authorization header, get_url with
 * url_password, user with a password hash, and a no_log shell task with a secret in its text and
 * its environment. Every process command line on the machine (the node's included) is sampled
 * every 25 ms while the tasks run; none may hold a secret, and neither may stdout/stderr at -vvvv,
 * the log file (text, then JSON lines), the json callback's document nor the run record. The in-node HTTP server answers after 2 s (so curl is surely sampled) and
 * records the credentials it received (so they did travel, through curl's config file).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/lab/index.js';
import { uniqueLabName } from '../helpers/lab-name.js';
import { labInventory, startPhilote, watchProcesses } from './run.js';

const isRoot = process.platform === 'linux' && process.getuid?.() === 0;
let lab: Lab;
let dir: string;
const token = (n: number) => `sekrit${n}x${randomBytes(6).toString('hex')}`;
const T = [1, 2, 3, 4, 5, 6].map(token);

const SERVER = String.raw`
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(2)
        with open(sys.argv[1], 'a') as f:
            f.write('%s %s\n' % (self.path, self.headers.get('Authorization', '')))
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain')
        self.end_headers()
        self.wfile.write(b'ok\n')
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(('127.0.0.1', 8089), H).serve_forever()
`;

function filesUnder(d: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

describe.skipIf(!isRoot)('secrets stay off command lines and out of every output', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('fltsec'), nodes: 1 });
    dir = mkdtempSync(join(tmpdir(), 'phl-fltsec-'));
    // Nodes have their own /tmp; the lab's folder is visible inside them at its path.
    writeFileSync(join(lab.dir, 'srv.py'), SERVER);
    await lab.exec('node1', `nohup /usr/bin/python3 ${lab.dir}/srv.py ${lab.dir}/seen.log >/dev/null 2>&1 &`);
    await lab.exec('node1', 'for i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:8089/ready && break; sleep 0.2; done');
  }, 120_000);
  afterAll(async () => {
    await lab?.down();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('uri, get_url, user and a no_log shell task: no secret in any ps snapshot, output at -vvvv or run record', async () => {
    writeFileSync(join(dir, 'inv.ini'), labInventory(lab, { node1: '' }));
    writeFileSync(
      join(dir, 'pb.yml'),
      [
        '- hosts: node1',
        '  gather_facts: false',
        '  tasks:',
        `    - uri: {url: "http://127.0.0.1:8089/basic", url_username: u, url_password: "${T[0]}", force_basic_auth: true}`,
        `    - uri: {url: "http://127.0.0.1:8089/bearer", headers: {Authorization: "Bearer ${T[1]}"}}`,
        `    - get_url: {url: "http://127.0.0.1:8089/file", dest: /var/lib/phl/got.txt, url_username: u, url_password: "${T[2]}", force_basic_auth: true}`,
        `    - user: {name: fltuser, password: "${T[3]}"}`,
        '      become: true',
        `    - shell: "echo ${T[4]} > /dev/null; sleep 1"`,
        '      no_log: true',
        `      environment: {API_TOKEN: "${T[5]}"}`,
        '',
      ].join('\n'),
    );
    mkdirSync(join(dir, 'logs'));
    const ps = watchProcesses(25);
    const r = await startPhilote(['playbook', '-vvvv', '-i', 'inv.ini', 'pb.yml'], {
      cwd: dir,
      env: { PHILOTE_RECORD: '1', PHILOTE_RUNS_DIR: join(dir, 'runs'), ANSIBLE_LOG_PATH: join(dir, 'logs', 'text.log') },
    }).done;
    const seen = [...ps.stop()];
    expect(r.code, r.out + r.err).toBe(0);
    // The same tasks again with the json callback and a JSON-lines log.
    const j = await startPhilote(['playbook', '-i', 'inv.ini', 'pb.yml'], {
      cwd: dir,
      env: { ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_LOG_PATH: join(dir, 'logs', 'json.log'), PHILOTE_LOG_FORMAT: 'json' },
    }).done;
    expect(j.code, j.out + j.err).toBe(0);
    expect(JSON.parse(j.out).stats.node1).toMatchObject({ ok: 5, failures: 0 });

    // The sampling saw the requests and the shell while they ran (a check that can fail).
    expect(seen.some((c) => /\bcurl .*-K /.test(c))).toBe(true);
    expect(seen.some((c) => /^\/bin\/sh \/tmp\/tmp\.\w+$/.test(c))).toBe(true);
    // The credentials did arrive, through the config files.
    const got = readFileSync(join(lab.dir, 'seen.log'), 'utf8');
    expect(got).toContain(`/basic Basic ${Buffer.from(`u:${T[0]}`).toString('base64')}`);
    expect(got).toContain(`/bearer Bearer ${T[1]}`);
    expect(got).toContain(`/file Basic ${Buffer.from(`u:${T[2]}`).toString('base64')}`);
    expect((await lab.exec('node1', 'getent shadow fltuser | cut -d: -f2')).stdout.trim()).toBe(T[3]);

    const record = [...filesUnder(join(dir, 'runs')), ...filesUnder(join(dir, 'logs'))];
    expect(record.filter((f) => f.includes('/runs/')).length).toBeGreaterThan(0);
    expect(record.filter((f) => f.endsWith('.log'))).toHaveLength(2);
    for (const t of T) {
      expect(seen.filter((c) => c.includes(t) && !c.includes('vitest'))).toEqual([]);
      expect(r.out).not.toContain(t);
      expect(r.err).not.toContain(t);
      expect(j.out + j.err).not.toContain(t);
      for (const f of record) expect(readFileSync(f, 'utf8'), f).not.toContain(t);
    }
  }, 120_000);
});

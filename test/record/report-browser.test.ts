/**
 * The run record end to end: a playbook run on two hosts (local connection) records its events in
 * PHILOTE_RUNS_DIR; --no-record and PHILOTE_RECORD=0 record nothing; `philote runs` lists the run;
 * `philote report` writes one HTML page which Debian's chromium (driven by playwright-core, as
 * .ci/run installs it) renders: host names, the failed task first, the diff, a timeline per host,
 * the no_log secret nowhere, recorded text shown as text (no script runs).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir = '';
const SECRET = 's3cr3t-' + process.pid;

const PLAYBOOK = `- name: demo
  hosts: all
  gather_facts: false
  tasks:
    - name: wait a bit
      command: sleep 0.2
    - name: write a file
      copy: content="hello {{ inventory_hostname }}\\n" dest={{ playbook_dir }}/f-{{ inventory_hostname }}.txt
    - name: secret
      debug: msg="${SECRET}"
      no_log: true
    - name: break db
      fail: msg="db1 is broken <script>window.pwned=1</script>"
      when: inventory_hostname == 'db1'
    - name: after
      debug: msg=done
`;

const env = () => ({ HOME: dir, PHILOTE_RUNS_DIR: join(dir, 'runs'), PHILOTE_RECORD: '1', ANSIBLE_CONFIG: '' });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'philote-record-'));
  writeFileSync(join(dir, 'inv'), ['web1', 'db1'].map((h) => `${h} ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n`).join(''));
  writeFileSync(join(dir, 'pb.yml'), PLAYBOOK);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run record and HTML report', () => {
  it('records a run, lists it, and the report renders it in chromium', async () => {
    const run = await runCli(['playbook', '-i', 'inv', '--diff', 'pb.yml'], { cwd: dir, env: env() });
    expect(run.code).toBe(2);
    // Not recorded: the flag and the environment variable.
    expect((await runCli(['playbook', '-i', 'inv', '--no-record', 'pb.yml'], { cwd: dir, env: env() })).code).toBe(2);
    expect((await runCli(['playbook', '-i', 'inv', 'pb.yml'], { cwd: dir, env: { ...env(), PHILOTE_RECORD: '0' } })).code).toBe(2);
    const ids = readdirSync(join(dir, 'runs'));
    expect(ids).toHaveLength(1);
    const recorded = readFileSync(join(dir, 'runs', ids[0]!, 'events.jsonl'), 'utf8') + readFileSync(join(dir, 'runs', ids[0]!, 'run.json'), 'utf8');
    expect(recorded).toContain('"host":"db1"');
    expect(recorded).not.toContain(SECRET);
    expect(JSON.parse(readFileSync(join(dir, 'runs', ids[0]!, 'run.json'), 'utf8'))).toMatchObject({ exitCode: 2, hosts: 2, failedHosts: 1, changedHosts: 2, playbooks: ['pb.yml'] });

    const runs = await runCli(['runs'], { cwd: dir, env: env() });
    expect(runs.code).toBe(0);
    expect(runs.out).toMatch(new RegExp(`^${ids[0]} +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +[\\d.]+ m?s +2 +2 +1 +2 +pb\\.yml$`, 'm'));
    const asJson = JSON.parse((await runCli(['runs', '--json'], { cwd: dir, env: env() })).out) as Array<{ id: string }>;
    expect(asJson.map((r) => r.id)).toEqual(ids);

    const out = join(dir, 'report.html');
    const rep = await runCli(['report', ids[0]!.slice(0, 17), '-o', out], { cwd: dir, env: env() });
    expect(rep.code).toBe(0);
    expect(rep.out.trim()).toBe(out);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toContain(SECRET);
    expect(html).not.toMatch(/<script|src=|href=/i);

    const browser = await chromium.launchPersistentContext(mkdtempSync(join(dir, 'chromium-profile-')), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(out).href);
      expect(await page.title()).toContain('pb.yml');
      expect(await page.locator('#run-status').innerText()).toBe('failed (exit 2)');
      // Hosts: the failed one first.
      expect(await page.locator('#hosts tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-host')))).toEqual(['db1', 'web1']);
      // Failed and changed: the failure first, with its message as text.
      const first = page.locator('#problems article').first();
      expect(await first.getAttribute('data-status')).toBe('failed');
      expect(await first.locator('.task').innerText()).toBe('break db');
      expect(await first.locator('.host').innerText()).toBe('db1');
      expect(await first.locator('.msg').innerText()).toBe('db1 is broken <script>window.pwned=1</script>');
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      // The diff of the copy task, as --diff printed it.
      const diffs = await page.locator('#problems .diff').allInnerTexts();
      expect(diffs.some((d) => d.includes('+hello web1'))).toBe(true);
      expect(await page.locator('#problems .diff .add').first().evaluate((e) => getComputedStyle(e).color)).toBe('rgb(27, 94, 32)');
      // Tasks: the failed task first.
      expect(await page.locator('#tasks tbody tr').first().getAttribute('data-task')).toBe('break db');
      // Timeline: a row per host with a visible bar per task result.
      expect(await page.locator('#timeline .row').count()).toBe(2);
      const bars = page.locator('#timeline .row[data-host="web1"] .bar');
      expect(await bars.count()).toBe(5);
      const box = await bars.first().boundingBox();
      expect(box && box.width).toBeGreaterThan(1);
      expect(await page.locator('body').innerText()).not.toContain(SECRET);
      expect(requests.every((u) => u.startsWith('file://'))).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it('report names the run it cannot find', async () => {
    const r = await runCli(['report', 'nope'], { cwd: dir, env: env() });
    expect(r.code).toBe(5);
    expect(r.err).toContain("no recorded run 'nope'");
  });
});

/** `philote runs` (past runs, newest first) and `philote report [RUN]` (one HTML page for a run). */
import { writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { reportHtml, duration } from '../record/report-html.js';
import { findRun, listRuns, readRun, runsDir, type RunMeta } from '../record/store.js';
import type { CliIO } from './io.js';

function root(io: CliIO): string {
  return runsDir(loadConfig({ env: io.env, cwd: io.cwd }).runsDir, io.env);
}

function row(r: RunMeta): string[] {
  const started = r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, '');
  const took = r.endedAt ? duration(Date.parse(r.endedAt) - Date.parse(r.startedAt)) : 'running?';
  return [r.id, started, took, r.exitCode === undefined ? '-' : String(r.exitCode), String(r.hosts ?? '-'), String(r.failedHosts ?? '-'), String(r.changedHosts ?? '-'), r.playbooks.map((p) => basename(p)).join(',')];
}

export function runsCommand(io: CliIO, setExit: (code: number) => void): Command {
  return new Command('runs')
    .description('list recorded playbook runs, newest first (PHILOTE_RUNS_DIR, default ~/.philote/runs)')
    .option('--json', 'print the runs as JSON')
    .option('-n, --last <count>', 'only the newest COUNT runs', (v) => Number.parseInt(v, 10))
    .action((flags: { json?: boolean; last?: number }) => {
      const dir = root(io);
      const runs = listRuns(dir).slice(0, flags.last && flags.last > 0 ? flags.last : undefined);
      if (flags.json) {
        io.stdout.write(JSON.stringify(runs, null, 2) + '\n');
        return setExit(0);
      }
      if (runs.length === 0) {
        io.stdout.write(`no recorded runs in ${dir}\n`);
        return setExit(0);
      }
      const table = [['RUN', 'STARTED (UTC)', 'DURATION', 'EXIT', 'HOSTS', 'FAILED', 'CHANGED', 'PLAYBOOK'], ...runs.map(row)];
      const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
      for (const r of table) io.stdout.write(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ') + '\n');
      setExit(0);
    });
}

export function reportCommand(io: CliIO, setExit: (code: number) => void): Command {
  return new Command('report')
    .description('write one self-contained HTML page for a recorded run (the newest by default)')
    .argument('[run]', 'run id or a unique prefix of one (see philote runs)')
    .option('-o, --output <file>', "where to write the page ('-' for stdout; default: report.html in the run's folder)")
    .action((wanted: string | undefined, flags: { output?: string }) => {
      const dir = root(io);
      const meta = findRun(dir, wanted);
      const html = reportHtml(readRun(dir, meta));
      if (flags.output === '-') {
        io.stdout.write(html);
        return setExit(0);
      }
      const file = flags.output ? resolve(io.cwd, flags.output) : join(dir, meta.id, 'report.html');
      writeFileSync(file, html, { mode: 0o600 });
      io.stdout.write(`${file}\n`);
      setExit(0);
    });
}

/**
 * `philote report`: one self-contained HTML page for a recorded run (inline CSS, no script, no
 * request to anywhere): summary, failed and changed results first with their diffs, per-host and
 * per-task tables, a timeline of tasks per host, warnings. Every recorded string is escaped.
 */
import { basename } from 'node:path';
import type { HostStats, HostStatus } from '../output/events.js';
import { renderDiff } from '../output/diff.js';
import { pyJson } from '../output/pyjson.js';
import { buildModel, hostSeverity, severity, sortBy, taskSeverity, type HostOutcome, type RunModel, type TaskRow } from './model.js';
import type { RunRecord } from './store.js';

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function statusLabel(o: Pick<HostOutcome, 'status' | 'ignored'>): string {
  return o.ignored ? `${o.status} (ignored)` : o.status;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1200px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d9dde3;padding-bottom:4px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceef1;vertical-align:top}
th{background:#eef0f3;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:3px;padding:0 6px;font-size:12px;font-weight:600;color:#fff}
.ok{background:#2e8540}.changed{background:#b8860b}.failed{background:#c62828}.unreachable{background:#7b1fa2}.skipped{background:#0288a8}.ignored{opacity:.6}
.summary{display:flex;gap:24px;flex-wrap:wrap;background:#fff;padding:12px 16px;border:1px solid #d9dde3}
.summary div{min-width:110px}.summary b{display:block;font-size:18px}
.outcome{background:#fff;border:1px solid #d9dde3;border-left:4px solid #999;margin:8px 0;padding:8px 12px}
.outcome.failed,.outcome.unreachable{border-left-color:#c62828}.outcome.changed{border-left-color:#b8860b}
.outcome .msg{white-space:pre-wrap;font-family:ui-monospace,monospace;margin:4px 0}
pre{background:#f3f4f6;padding:8px;overflow:auto;font:12px/1.4 ui-monospace,monospace;margin:4px 0}
.diff .add{color:#1b5e20;background:#e8f5e9}.diff .del{color:#b71c1c;background:#ffebee}.diff .hunk{color:#00838f}
.timeline .row{display:flex;align-items:center;margin:2px 0}.timeline .host{width:180px;flex:none;overflow:hidden;text-overflow:ellipsis}
.timeline .track{position:relative;flex:1;height:18px;background:#fff;border:1px solid #e3e6ea}
.timeline .bar{position:absolute;top:2px;height:12px;min-width:2px;border-radius:2px}
.muted{color:#667}footer{margin-top:32px;color:#667;font-size:12px}
`;

function summary(run: RunRecord, m: RunModel): string {
  const hosts = Object.keys(m.stats).length;
  const failed = Object.values(m.stats).filter((s) => hostSeverity(s) === 0).length;
  const changed = Object.values(m.stats).filter((s) => s.changed > 0).length;
  const code = run.meta.exitCode;
  const state = code === undefined ? 'did not finish' : code === 0 ? 'succeeded' : `failed (exit ${code})`;
  const cls = code === 0 ? 'ok' : 'failed';
  const cell = (label: string, value: string) => `<div><span class="muted">${esc(label)}</span><b>${value}</b></div>`;
  return `<section class="summary" id="summary">
${cell('result', `<span class="badge ${cls}" id="run-status">${esc(state)}</span>`)}
${cell('started', esc(run.meta.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')))}
${cell('duration', esc(duration(m.end - m.start)))}
${cell('hosts', String(hosts))}
${cell('failed hosts', String(failed))}
${cell('changed hosts', String(changed))}
${cell('tasks', String(m.tasks.length))}
${cell('mode', esc([run.meta.check ? 'check' : 'apply', run.meta.diff ? 'diff' : ''].filter(Boolean).join(', ')))}
</section>`;
}

function diffBlock(result: HostOutcome['result']): string {
  const d = result.diff;
  if (!d) return '';
  const text = renderDiff(d as Parameters<typeof renderDiff>[0], false);
  if (!text.trim()) return '';
  const lines = text.replace(/\n+$/, '').split('\n').map((l) => {
    const cls = l.startsWith('+++') || l.startsWith('---') ? 'file' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : l.startsWith('@@') ? 'hunk' : '';
    return cls ? `<span class="${cls}">${esc(l)}</span>` : esc(l);
  });
  return `<pre class="diff">${lines.join('\n')}</pre>`;
}

function message(r: HostOutcome['result']): string {
  const parts = [r.msg, r.stderr, r.censored].filter((x) => typeof x === 'string' && x.trim() !== '') as string[];
  return parts.length ? `<div class="msg">${esc(parts.join('\n'))}</div>` : '';
}

function resultDetails(r: HostOutcome['result']): string {
  return `<details><summary>result</summary><pre>${esc(pyJson(r, 4))}</pre></details>`;
}

function outcomeCard(t: TaskRow, o: HostOutcome): string {
  const host = o.delegatedTo && o.delegatedTo !== o.host ? `${o.host} -> ${o.delegatedTo}` : o.host;
  return `<article class="outcome ${o.status}" data-status="${o.status}" data-host="${esc(o.host)}">
<div><span class="badge ${o.status}${o.ignored ? ' ignored' : ''}">${esc(statusLabel(o))}</span> <b class="task">${esc(t.task.name)}</b> on <b class="host">${esc(host)}</b> <span class="muted">${esc(t.play)} · ${esc(basename(t.task.loc.file))}:${t.task.loc.line}</span></div>
${message(o.result)}${diffBlock(o.result)}${resultDetails(o.result)}
</article>`;
}

function problems(m: RunModel): string {
  const list: Array<[TaskRow, HostOutcome]> = [];
  for (const t of m.tasks) for (const o of t.outcomes) if (severity(o) < 3) list.push([t, o]);
  const sorted = sortBy(list, ([, o]) => severity(o));
  const body = sorted.length ? sorted.map(([t, o]) => outcomeCard(t, o)).join('\n') : '<p class="muted">Nothing failed and nothing changed.</p>';
  return `<section id="problems"><h2>Failed and changed</h2>\n${body}\n</section>`;
}

const STAT_COLUMNS: Array<[keyof HostStats, string]> = [
  ['ok', 'ok'],
  ['changed', 'changed'],
  ['unreachable', 'unreachable'],
  ['failures', 'failed'],
  ['skipped', 'skipped'],
  ['rescued', 'rescued'],
  ['ignored', 'ignored'],
];

function hostsTable(m: RunModel): string {
  const names = sortBy(Object.keys(m.stats).sort(), (h) => hostSeverity(m.stats[h]!));
  const rows = names.map((h) => {
    const s = m.stats[h]!;
    const state = s.unreachable ? 'unreachable' : s.failures ? 'failed' : s.changed ? 'changed' : 'ok';
    return `<tr data-host="${esc(h)}"><td class="host"><span class="badge ${state}">${state}</span> ${esc(h)}</td>${STAT_COLUMNS.map(([k]) => `<td class="n">${s[k]}</td>`).join('')}</tr>`;
  });
  return `<section id="hosts"><h2>Hosts</h2><table><thead><tr><th>host</th>${STAT_COLUMNS.map(([, l]) => `<th>${l}</th>`).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></section>`;
}

function tasksTable(m: RunModel): string {
  const sorted = sortBy(m.tasks, taskSeverity);
  const rows = sorted.map((t) => {
    const counts = new Map<string, number>();
    for (const o of t.outcomes) counts.set(statusLabel(o), (counts.get(statusLabel(o)) ?? 0) + 1);
    const chips = [...counts].map(([s, n]) => `<span class="badge ${s.split(' ')[0]}${s.includes('ignored') ? ' ignored' : ''}">${esc(s)} ${n}</span>`).join(' ');
    return `<tr data-task="${esc(t.task.name)}"><td class="task">${esc(t.task.isHandler ? `handler: ${t.task.name}` : t.task.name)}<div class="muted">${esc(t.task.action)} · ${esc(basename(t.task.loc.file))}:${t.task.loc.line}</div></td><td>${esc(t.play)}</td><td class="n">${esc(duration(t.end - t.start))}</td><td>${chips}</td></tr>`;
  });
  return `<section id="tasks"><h2>Tasks</h2><table><thead><tr><th>task</th><th>play</th><th>time</th><th>hosts</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></section>`;
}

function timeline(m: RunModel): string {
  const total = Math.max(1, m.end - m.start);
  const byHost = new Map<string, Array<[TaskRow, HostOutcome]>>();
  for (const t of m.tasks) for (const o of t.outcomes) (byHost.get(o.host) ?? byHost.set(o.host, []).get(o.host)!).push([t, o]);
  const pct = (v: number) => `${Math.max(0, Math.min(100, v)).toFixed(3)}%`;
  const rows = [...byHost.keys()].sort().map((h) => {
    const bars = byHost.get(h)!.map(([t, o]) => {
      const left = ((o.start - m.start) / total) * 100;
      const width = ((o.end - o.start) / total) * 100;
      const status: HostStatus = o.status;
      return `<span class="bar ${status}${o.ignored ? ' ignored' : ''}" style="left:${pct(left)};width:${pct(width)}" title="${esc(`${t.task.name}: ${statusLabel(o)}, ${duration(o.end - o.start)}`)}"></span>`;
    });
    return `<div class="row" data-host="${esc(h)}"><div class="host">${esc(h)}</div><div class="track">${bars.join('')}</div></div>`;
  });
  return `<section id="timeline" class="timeline"><h2>Timeline</h2><p class="muted">Each bar is a task on that host, from the task's start to the host's result (0 to ${esc(duration(total))}).</p>\n${rows.join('\n')}\n</section>`;
}

function notes(m: RunModel): string {
  if (m.warnings.length === 0 && m.errors.length === 0) return '';
  const items = [...m.errors.map((e) => `<li><b>ERROR</b> ${esc(e)}</li>`), ...m.warnings.map((w) => `<li>${esc(w)}</li>`)];
  return `<section id="warnings"><h2>Warnings and errors</h2><ul>${items.join('\n')}</ul></section>`;
}

export function reportHtml(run: RunRecord): string {
  const m = buildModel(run);
  const title = run.meta.playbooks.map((p) => basename(p)).join(', ') || 'run';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="philote ${esc(run.meta.philoteVersion)}">
<title>${esc(title)} · philote run ${esc(run.meta.id)}</title><style>${STYLE}</style></head>
<body><main>
<h1>${esc(title)}</h1>
<p class="muted">run ${esc(run.meta.id)} in ${esc(run.meta.cwd)} by ${esc(run.meta.user)}${run.meta.limit ? ` · --limit ${esc(run.meta.limit)}` : ''}${run.meta.tags?.length ? ` · --tags ${esc(run.meta.tags.join(','))}` : ''}${m.interrupted ? ' · interrupted' : ''}</p>
${summary(run, m)}
${problems(m)}
${hostsTable(m)}
${tasksTable(m)}
${timeline(m)}
${notes(m)}
<footer>Written by philote ${esc(run.meta.philoteVersion)} from the run record ${esc(run.meta.id)}.</footer>
</main></body></html>
`;
}

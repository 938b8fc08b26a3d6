/**
 * The text `ansible-playbook --syntax-check / --list-hosts / --list-tasks / --list-tags`
 * prints, built from the loaded playbooks (ansible/cli/playbook.py, 2.14). Only statically
 * known tasks are listed, as Ansible does: include_* appear as one task, rescue and always
 * sections are not walked, implicit meta tasks are left out.
 */
import { reprString } from '../values/py-repr.js';
import { isAbsolute, relative, resolve } from 'node:path';
import { PhiloteError } from '../errors.js';
import type { Inventory } from '../inventory/types.js';
import { Loader } from './loader.js';
import type { Block, Play, TaskItem } from './types.js';

export interface ListingOptions {
  /** Playbook files as the user typed them (printed as is; read relative to `cwd`). */
  playbooks: string[];
  /** Names to print instead of `playbooks` (the CLI may pass resolved paths in `playbooks`). */
  playbookNames?: string[];
  cwd?: string;
  inventory?: Inventory;
  limit?: string | string[];
  tags?: string[];
  skipTags?: string[];
  extraVars?: Record<string, unknown>;
  rolesPath?: string[];
  collectionsPaths?: string[];
  listHosts?: boolean;
  listTasks?: boolean;
  listTags?: boolean;
  syntaxCheck?: boolean;
}

/** Ansible's Taggable.evaluate_tags. */
export function tagsSelected(tags: readonly string[], only: readonly string[], skip: readonly string[]): boolean {
  const onlyTags = only.length ? only : ['all'];
  const untagged = tags.length === 0;
  const t = untagged ? ['untagged'] : tags;
  const any = (list: readonly string[]) => t.some((x) => list.includes(x));
  let run = false;
  if (t.includes('always')) run = true;
  else if (onlyTags.includes('all') && !t.includes('never')) run = true;
  else if (onlyTags.includes('tagged') && !untagged && !t.includes('never')) run = true;
  else if (any(onlyTags)) run = true;
  if (run && skip.length) {
    if (skip.includes('all')) {
      if (!t.includes('always') || skip.includes('always')) run = false;
    } else if (any(skip)) run = false;
    else if (skip.includes('tagged') && !untagged) run = false;
    else if (skip.includes('untagged') && untagged) run = false;
  }
  return run;
}

/** Python sorts str by code point; JS's default sort compares UTF-16 units (same for the BMP). */
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

type Render = (text: string, vars: Record<string, unknown>) => string;

/** Templates host patterns with extra vars and play vars, as play.post_validate does. */
async function makeRenderer(): Promise<Render> {
  try {
    const mod = (await import('../template/index.js' as string)) as { createTemplar?: () => { render(v: unknown, c: { vars: Record<string, unknown> }): unknown } };
    if (mod.createTemplar) {
      const templar = mod.createTemplar();
      return (text, vars) => String(templar.render(text, { vars }));
    }
  } catch {
    // The template engine is optional here: fall back to plain {{ name }} substitution.
  }
  return (text, vars) =>
    text.replace(/\{\{\s*([A-Za-z_][\w]*)\s*\}\}/g, (m, name: string) => {
      if (!(name in vars)) throw new PhiloteError('undefined', `'${name}' is undefined`);
      return String(vars[name]);
    });
}

interface TaskLine {
  text: string;
}

/** Walks the statically known tasks of a play in run order (Play.compile), keeping inherited tags. */
function listTasks(play: Play, only: string[], skip: string[], renderTag: (t: string) => string = (t) => t): { lines: TaskLine[]; tags: Set<string> } {
  const playTags = play.tags ?? [];
  const lines: TaskLine[] = [];
  const seen = new Set<string>();
  const visit = (items: TaskItem[], inherited: string[]) => {
    for (const it of items) {
      // Templated tags are listed (and selected) by their value, as ansible-playbook does.
      const tags = [...inherited, ...(it.tags ?? []).map(renderTag)];
      if (it.kind === 'block') {
        visit(it.block, tags);
        continue;
      }
      const own = [...new Set([...playTags, ...tags])];
      if (!tagsSelected(own, only, skip)) continue;
      for (const t of tags) seen.add(t);
      const name = it.name ? (it.role ? `${it.role.name} : ${it.name}` : it.name) : it.actionAsWritten;
      lines.push({ text: `      ${name}\tTAGS: [${sorted([...playTags, ...tags]).join(', ')}]` });
    }
  };
  const sections: Array<TaskItem[] | Block[]> = [play.pre_tasks, play.roles, play.tasks, play.post_tasks];
  for (const s of sections) visit(s, []);
  return { lines, tags: seen };
}

async function playHeader(play: Play, idx: number, opts: ListingOptions, render: Render): Promise<{ header: string; hostList: string[] }> {
  // As the listing does in ansible: a vars_prompt variable takes its default.
  const prompted = Object.fromEntries((play.vars_prompt ?? []).filter((p) => 'default' in p).map((p) => [String(p['name']), p['default']]));
  const vars = { ...(play.vars ?? {}), ...prompted, ...(opts.extraVars ?? {}) };
  const patterns = (Array.isArray(play.hosts) ? play.hosts : [play.hosts]).map((p) => (p.includes('{{') || p.includes('{%') ? render(p, vars) : p));
  let name = play.name;
  if (name === (Array.isArray(play.hosts) ? play.hosts.join(',') : play.hosts)) name = patterns.join(',');
  else if (name.includes('{{')) name = render(name, vars);
  const header = `\n  play #${idx + 1} (${patterns.join(',')}): ${name}\tTAGS: [${[...new Set(play.tags ?? [])].join(',')}]`;
  return { header, hostList: patterns };
}

/**
 * ansible-playbook prints a playbook path as typed. Callers that only have a resolved path
 * should pass `playbookNames`; without it, a path under cwd is shown relative to it (the
 * usual way people type it).
 */
function displayName(p: string, cwd: string): string {
  if (!isAbsolute(p)) return p;
  const rel = relative(cwd, p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
}

async function loadAll(opts: ListingOptions): Promise<Array<{ name: string; plays: Play[] }>> {
  const loader = new Loader({ rolesPath: opts.rolesPath ?? [], extraVars: opts.extraVars ?? {}, collectionsPaths: opts.collectionsPaths ?? [] });
  await loader.prepare();
  const cwd = opts.cwd ?? process.cwd();
  const books = opts.playbooks.map((p, i) => ({ name: opts.playbookNames?.[i] ?? displayName(p, cwd), plays: loader.loadPlaybookSync(resolve(cwd, p)).plays }));
  // PlaybookExecutor asks for each play's variables even when only listing or checking syntax;
  // ansible_play_hosts_all evaluates the play's host pattern then (a template counts as 'all'),
  // so a pattern matching nothing is warned about (once: the display drops repeats).
  if (opts.inventory) {
    for (const play of books.flatMap((b) => b.plays)) {
      const patterns = Array.isArray(play.hosts) ? play.hosts : [play.hosts];
      if (!patterns.some((p) => p.includes('{{') || p.includes('{%'))) opts.inventory.selectHosts(patterns);
    }
  }
  return books;
}

/** `--syntax-check`: loads everything (throwing PhiloteError 'parse' on a mistake) and prints the playbook names. */
export async function syntaxCheck(opts: ListingOptions): Promise<string> {
  const books = await loadAll(opts);
  return books.map((b) => `\nplaybook: ${b.name}\n`).join('');
}

/** `--list-hosts`, `--list-tasks`, `--list-tags` (any combination). */
export async function runListing(opts: ListingOptions): Promise<string> {
  if (opts.syntaxCheck) return syntaxCheck(opts);
  const books = await loadAll(opts);
  const render = await makeRenderer();
  const only = opts.tags ?? [];
  const skip = opts.skipTags ?? [];
  let out = '';
  for (const book of books) {
    out += `\nplaybook: ${book.name}\n`;
    for (const [idx, play] of book.plays.entries()) {
      const { header, hostList } = await playHeader(play, idx, opts, render);
      let msg = header;
      if (opts.listHosts) {
        if (!opts.inventory) throw new PhiloteError('internal', '--list-hosts needs an inventory');
        const hosts = opts.inventory.selectHosts(hostList, opts.limit);
        msg += `\n    pattern: [${hostList.map(reprString).join(', ')}]\n    hosts (${hosts.length}):`;
        for (const h of hosts) msg += `\n      ${h.name}`;
      }
      out += msg + '\n';
      if (opts.listTasks || opts.listTags) {
        const vars = { ...(play.vars ?? {}), ...(opts.extraVars ?? {}) };
        const renderTag = (t: string) => {
          if (!t.includes('{{') && !t.includes('{%')) return t;
          try {
            return render(t, vars);
          } catch {
            return t;
          }
        };
        const { lines, tags } = listTasks(play, only, skip, renderTag);
        let taskmsg = opts.listTasks ? '    tasks:\n' : '';
        if (opts.listTasks) for (const l of lines) taskmsg += l.text + '\n';
        if (opts.listTags) taskmsg += `      TASK TAGS: [${sorted([...(play.tags ?? []), ...tags]).join(', ')}]\n`;
        // Display.display adds a newline only when the text lacks one.
        out += taskmsg.endsWith('\n') ? taskmsg : taskmsg + '\n';
      }
    }
  }
  return out;
}

export default runListing;

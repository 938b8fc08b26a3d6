/** One play mapping → Play, with its roles expanded and its task lists parsed. */
import type { SourceLocation } from '../errors.js';
import { readInheritable } from './inheritable.js';
import { PLAY_KEYWORDS, asBool, asBoolish, asIntish, asString, asStringList, asVars, fail, unknownKeyword } from './keywords.js';
import type { ParseContext } from './parse-context.js';
import type { StaticRender } from './static-vars.js';
import { expandRole, parseRoleEntry, type RoleExpander } from './roles.js';
import { parseTaskList } from './task.js';
import { hasTemplate, isMapping } from './values.js';
import type { Block, Play, TaskItem } from './types.js';
import { itemLocationOf, keyLocationOf, locationOf } from '../values/yaml.js';

const ORDERS = ['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'] as const;

function parseHosts(v: unknown, loc: SourceLocation): string | string[] {
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v) && v.length && v.every((h) => typeof h === 'string' || typeof h === 'number')) return v.map(String);
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) fail('Hosts list cannot be empty. Please check your playbook', loc);
  fail(`Hosts list must be a sequence or a comma separated string, got a ${Array.isArray(v) ? 'list of non-strings' : typeof v}`, loc);
}

function parseSerial(v: unknown, loc: SourceLocation): number | string | Array<number | string> {
  const one = (x: unknown): number | string => {
    if (typeof x === 'number') return x;
    if (typeof x === 'string' && (/^\s*\d+(\.\d+)?%?\s*$/.test(x) || x.includes('{{'))) return /^\s*\d+\s*$/.test(x) ? parseInt(x, 10) : x.trim();
    fail(`the field 'serial' must be a number, a percentage ("30%") or a list of them, got ${JSON.stringify(x)}`, loc);
  };
  return Array.isArray(v) ? v.map(one) : one(v);
}

function parseVarsFiles(v: unknown, loc: SourceLocation): Array<string | string[]> {
  if (v === null || v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((e) => {
    if (typeof e === 'string') return e;
    if (Array.isArray(e) && e.every((x) => typeof x === 'string')) return e as string[];
    fail(`vars_files entries must be file names or lists of file names, got ${JSON.stringify(e)}`, loc);
  });
}

function parseVarsPrompt(v: unknown, loc: SourceLocation): Array<Record<string, unknown>> {
  if (v === null || v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((p) => {
    if (!isMapping(p)) fail("vars_prompt entries must be dictionaries with a 'name'", locationOf(p) ?? loc);
    if (typeof p['name'] !== 'string') fail("Invalid vars_prompt data structure, missing 'name' key", locationOf(p) ?? loc);
    return p;
  });
}

export interface PlayParseHooks extends RoleExpander {
  /** A context for the play's own task lists. */
  playContext(file: string, playbookDir: string, playVars: Record<string, unknown>): ParseContext;
  /** Renders role names and import targets with load-time variables. */
  render: StaticRender;
}

export function parsePlay(ds: Record<string, unknown>, file: string, playbookDir: string, hooks: PlayParseHooks): Play {
  const loc = locationOf(ds) ?? { file, line: 1, column: 1 };
  const at = (k: string) => keyLocationOf(ds, k) ?? loc;
  const data: Record<string, unknown> = { ...ds };
  if ('user' in data) {
    // Old spelling of remote_user still accepted by ansible 2.14.
    if ('remote_user' in data) fail("both 'user' and 'remote_user' are set for this play. The use of 'user' is deprecated, and should be removed", at('user'));
    data['remote_user'] = data['user'];
    delete data['user'];
  }
  for (const key of Object.keys(data)) {
    if (!(PLAY_KEYWORDS as readonly string[]).includes(key)) {
      if (key === 'when') fail("'when' is not a valid attribute for a Play", at(key), "put it on the tasks, a block, a role or the import_playbook");
      unknownKeyword(key, 'Play', PLAY_KEYWORDS, at(key));
    }
  }
  if (!('hosts' in data)) fail("the field 'hosts' is required but was not set", loc);
  const hosts = parseHosts(data['hosts'], at('hosts'));
  const ctx = hooks.playContext(file, playbookDir, data['vars'] !== undefined && data['vars'] !== null ? asVars(data['vars'], at('vars'), 'Play') : {});
  const play: Play = {
    kind: 'play',
    loc,
    name: data['name'] !== undefined && data['name'] !== null ? asString('name', data['name'], at('name')) : Array.isArray(hosts) ? hosts.join(',') : hosts,
    hosts,
    vars_files: parseVarsFiles(data['vars_files'], at('vars_files')),
    pre_tasks: [],
    roles: [],
    tasks: [],
    post_tasks: [],
    handlers: [],
    baseDir: playbookDir,
  };
  readInheritable(data, play, loc, 'Play');
  if (data['vars'] !== undefined) play.vars = asVars(data['vars'], at('vars'), 'Play');
  const opt = (k: string) => data[k] !== undefined && data[k] !== null;
  if (opt('gather_facts')) play.gather_facts = asBoolish('gather_facts', data['gather_facts'], at('gather_facts'));
  if (opt('gather_subset')) play.gather_subset = asStringList('gather_subset', data['gather_subset'], at('gather_subset'));
  if (opt('gather_timeout')) asIntish('gather_timeout', data['gather_timeout'], at('gather_timeout'));
  if (opt('fact_path')) play.fact_path = asString('fact_path', data['fact_path'], at('fact_path'));
  if (opt('vars_prompt')) play.vars_prompt = parseVarsPrompt(data['vars_prompt'], at('vars_prompt'));
  if (opt('serial')) play.serial = parseSerial(data['serial'], at('serial'));
  if (opt('strategy')) play.strategy = asString('strategy', data['strategy'], at('strategy'));
  if (opt('max_fail_percentage')) {
    const v = data['max_fail_percentage'];
    if (typeof v === 'number') play.max_fail_percentage = v;
    else play.max_fail_percentage = asIntish('max_fail_percentage', v, at('max_fail_percentage'));
  }
  if (opt('order')) {
    const o = asString('order', data['order'], at('order'));
    // A templated order is decided when the play starts (with extra and play vars).
    if (!hasTemplate(o) && !(ORDERS as readonly string[]).includes(o)) unknownKeyword(o, "value of 'order' (inventory, reverse_inventory, sorted, reverse_sorted, shuffle) in a Play", ORDERS, at('order'));
    play.order = o as Play['order'];
  }
  if (opt('force_handlers')) play.force_handlers = asBool('force_handlers', data['force_handlers'], at('force_handlers'));

  // Order matters for handlers: role handlers come before the play's own (Play.compile_roles_handlers).
  play.pre_tasks = parseTaskList(data['pre_tasks'], ctx, 'pre_tasks', at('pre_tasks'));
  const roleHandlers: TaskItem[] = [];
  const seenRoleIds = new Set<string>();
  if (opt('roles')) {
    const roles = data['roles'];
    if (!Array.isArray(roles)) fail('A malformed role declaration was encountered: roles must be a list', at('roles'));
    for (const [i, r] of roles.entries()) {
      const entry = parseRoleEntry(r, itemLocationOf(roles, i) ?? at('roles'));
      const expanded = expandRole(entry, {}, ctx, hooks, undefined);
      play.roles.push(expanded.block);
      if (!seenRoleIds.has(expanded.role.id)) {
        seenRoleIds.add(expanded.role.id);
        roleHandlers.push(...expanded.handlers);
      }
    }
  }
  play.tasks = parseTaskList(data['tasks'], ctx, 'tasks', at('tasks'));
  play.post_tasks = parseTaskList(data['post_tasks'], ctx, 'post_tasks', at('post_tasks'));
  const handlersCtx: ParseContext = { ...ctx, handlers: true };
  const own = parseTaskList(data['handlers'], handlersCtx, 'handlers', at('handlers'));
  play.handlers = [...roleHandlers, ...ctx.roleHandlers, ...own];
  return play;
}

export type { Block };

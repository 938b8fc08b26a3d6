/**
 * alternatives: manage update-alternatives links (community.general.alternatives).
 *
 * Arguments:
 * - name (required): the alternative group.                   `name: iptables`
 * - path (required): the alternative to install/select.       `path: /usr/sbin/iptables-legacy`
 * - link: the generic link (taken from the group when it exists).  `link: /usr/sbin/iptables`
 * - priority: install priority (the existing one, else 50).
 * - state: selected (default: installed and chosen manually), present (installed only),
 *   auto (installed, group back to automatic mode), absent (this path removed from the group).
 * - subcommands (slaves): [{name, path, link}] installed with the alternative.
 *
 * Reads the group with `update-alternatives --display` (LC_ALL=C) and decides as the collection's
 * module does; a change runs --install / --set / --auto / --remove in a second exec. Returns
 * changed, msg ("Install alternative ... Set alternative ...") and diff {before, after} with
 * state/path/priority/link(/subcommands) under --diff (empty dicts otherwise, as the collection). Check mode decides without running the commands.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { int, str } from './args.js';
import { moduleFailure, q, runNodeScript, shVars } from './script.js';

const sub = z.object({ name: str, path: str, link: str }).strict();
const schema = z
  .object({
    name: str,
    path: str,
    link: str.optional(),
    priority: int.optional(),
    state: z.enum(['present', 'selected', 'auto', 'absent']).default('selected'),
    subcommands: z.array(sub).optional(),
    slaves: z.array(sub).optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;
type Sub = z.infer<typeof sub>;

interface Current {
  mode?: string;
  path?: string;
  link?: string;
  alternatives: Map<string, { priority: number; subcommands: Sub[] }>;
}

/** What `--display NAME` says, read as the collection's module reads it. */
function parseDisplay(text: string, wanted: Sub[] | undefined): Current {
  const cur: Current = { alternatives: new Map() };
  const mode = /\s-\s(?:status\sis\s)?(\w*)(?:\smode|.)$/m.exec(text);
  if (!mode) return cur;
  cur.mode = mode[1];
  const path = /^\s*link currently points to (.*)$/m.exec(text);
  if (path) cur.path = path[1];
  const link = /^\s*link \w+ is (.*)$/m.exec(text);
  if (link) cur.link = link[1];
  const subLinks = new Map<string, string>();
  for (const m of text.matchAll(/^\s*(?:slave|follower) (\S+) is (.*)$/gm)) subLinks.set(m[1]!, m[2]!);
  if (!subLinks.size && wanted) for (const s of wanted) subLinks.set(s.name, s.link);
  for (const m of text.matchAll(/^(\/.*)\s-\s(?:family\s\S+\s)?priority\s(\d+)((?:\s+(?:slave|follower).*)*)/gm)) {
    const subs: Sub[] = [];
    for (const s of (m[3] ?? '').matchAll(/^\s+(?:slave|follower) (.*): (.*)$/gm)) {
      if (s[2] !== '(null)') subs.push({ name: s[1]!, path: s[2]!, link: subLinks.get(s[1]!) as string });
    }
    cur.alternatives.set(m[1]!, { priority: Number(m[2]), subcommands: subs });
  }
  return cur;
}

const sameSub = (a: Sub, b: Sub): boolean => a.name === b.name && a.path === b.path && a.link === b.link;

export const alternativesModule: ModuleDefinition<Args> = {
  name: 'alternatives',
  aliases: ['community.general.alternatives', 'community.general.system.alternatives'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const wanted = a.subcommands ?? a.slaves;
    let read;
    try {
      read = await runNodeScript(
        ctx,
        shVars({ n: a.name, p: a.path }) +
          String.raw`command -v update-alternatives >/dev/null 2>&1 || fail "Failed to find required executable \"update-alternatives\" in paths: $PATH"
d=$(LC_ALL=C update-alternatives --display "$n" 2>/dev/null) || d=
e=false; [ -e "$p" ] && e=true
printf '{"exists":%s}\n%s' "$e" "$d"
`,
      );
    } catch (e) {
      return moduleFailure(e);
    }
    if (read.json['failed']) return { failed: true, changed: false, msg: String(read.json['msg']) };
    const cur = parseDisplay(read.tail ?? '', wanted);
    const mine = cur.alternatives.get(a.path);
    const before: Record<string, unknown> = {};
    if (mine) {
      Object.assign(before, { state: 'present', path: a.path, priority: mine.priority, link: cur.link ?? null });
      if (mine.subcommands.length) before['subcommands'] = mine.subcommands;
      if (cur.mode === 'manual' && cur.path !== a.path) before['state'] = 'selected';
    } else before['state'] = 'absent';
    const after: Record<string, unknown> = {};
    const cmds: string[][] = [];
    const messages: string[] = [];
    const link = a.link ?? cur.link;
    const priority = a.priority ?? mine?.priority ?? 50;
    const subs = wanted ?? (mine?.subcommands.length ? mine.subcommands : undefined);
    if (a.state !== 'absent') {
      const subsDiffer = wanted !== undefined && mine !== undefined && (!mine.subcommands.every((s) => wanted.some((w) => sameSub(w, s))) || !wanted.every((w) => mine.subcommands.some((s) => sameSub(w, s))));
      if (!mine || (a.priority !== undefined && mine.priority !== a.priority) || subsDiffer) {
        if (read.json['exists'] !== true) return { failed: true, changed: false, msg: `Specified path ${a.path} does not exist` };
        if (!link) return { failed: true, changed: false, msg: 'Needed to install the alternative, but unable to do so as we are missing the link' };
        cmds.push(['update-alternatives', '--install', link, a.name, a.path, String(priority), ...(wanted ?? []).flatMap((s) => ['--slave', s.link, s.name, s.path])]);
        messages.push(`Install alternative '${a.path}' for '${a.name}'.`);
        Object.assign(after, { state: 'present', path: a.path, priority, link, ...(subs ? { subcommands: subs } : {}) });
      }
      if (a.state === 'selected' && cur.path !== a.path) {
        cmds.push(['update-alternatives', '--set', a.name, a.path]);
        messages.push(`Set alternative '${a.path}' for '${a.name}'.`);
        after['state'] = 'selected';
      }
      if (a.state === 'auto' && cur.mode === 'manual') {
        cmds.push(['update-alternatives', '--auto', a.name]);
        messages.push(`Set alternative to auto for '${a.name}'.`);
        after['state'] = 'present';
      }
    } else if (mine) {
      cmds.push(['update-alternatives', '--remove', a.name, a.path]);
      messages.push(`Remove alternative '${a.path}' from '${a.name}'.`);
      after['state'] = 'absent';
    }
    if (cmds.length && !ctx.checkMode) {
      const script = cmds.map((c) => `o=$(LC_ALL=C ${c.map(q).join(' ')} 2>&1) || fail "$o"`).join('\n') + '\nprintf \'{"ok":true}\\n\'\n';
      let run;
      try {
        run = await runNodeScript(ctx, script);
      } catch (e) {
        return moduleFailure(e);
      }
      if (run.json['failed']) return { failed: true, changed: true, msg: String(run.json['msg']) };
    }
    // The collection fills before/after only under --diff; otherwise both are empty dicts.
    const diff = ctx.diffMode ? { before, after } : { before: {}, after: {} };
    return { changed: cmds.length > 0, msg: messages.join(' '), diff: diff as unknown as Record<string, string> };
  },
};

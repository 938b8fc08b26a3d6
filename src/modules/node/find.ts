/**
 * find: files and directories matching criteria (ansible.builtin.find). Never changes anything.
 *
 * Arguments:
 * - paths (aliases name, path): directories to search.            `paths: /etc/cni/net.d`
 * - patterns (alias pattern): basename globs (Python fnmatch), or regexes with use_regex.  `patterns: '*calico*'`
 * - excludes (alias exclude): basenames to leave out, same syntax as patterns.
 * - contains: a Python regex a line must match from its start (files only), or that must be found
 *   anywhere in the file with read_whole_file.  `contains: 'cali'`
 * - file_type: file (default), directory, link, any.
 * - age: at least this old, or at most when negative: 30s 10m 2h 4d 1w.  `age: -1d`
 * - age_stamp: mtime (default), atime, ctime.
 * - size: at least this big, or at most when negative: 10k 1m 1g (bytes without a unit).
 * - recurse (default false), depth (levels when recursing), hidden (default false), follow (default false),
 *   get_checksum (sha1 of matched files, default false), use_regex (default false).
 *
 * Returns: files (stat-like dicts as Ansible's: path, mode, isdir, isreg, islnk, size, uid, gid,
 * pw_name, gr_name, mtime, atime, ctime, inode, dev, nlink, the r/w/x bits, checksum), matched,
 * examined, msg, skipped_paths.
 *
 * The node lists candidates with one `find | stat` pipeline; the matching (fnmatch/regex,
 * age, size) happens here, so it follows Python's rules rather than each `find` flavour's.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, int, str, strList } from './args.js';
import { argError, moduleFailure, runNodeScript, shVars } from './script.js';
import { fnmatchRegExp } from '../../values/fnmatch.js';

const schema = z
  .object({
    paths: strList.optional(),
    path: strList.optional(),
    name: strList.optional(),
    patterns: strList.optional(),
    pattern: strList.optional(),
    excludes: strList.optional(),
    exclude: strList.optional(),
    contains: str.optional(),
    read_whole_file: bool.default(false),
    file_type: z.enum(['file', 'directory', 'link', 'any']).default('file'),
    age: str.optional(),
    age_stamp: z.enum(['mtime', 'atime', 'ctime']).default('mtime'),
    size: str.optional(),
    recurse: bool.default(false),
    depth: int.optional(),
    hidden: bool.default(false),
    follow: bool.default(false),
    get_checksum: bool.default(false),
    checksum_algorithm: z.enum(['sha1']).optional(),
    use_regex: bool.default(false),
    encoding: str.optional(),
    mode: str.optional(),
    exact_mode: bool.optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

const SCRIPT = String.raw`
L=; [ -n "$a_follow" ] && L=-L
out=$(mktemp) || fail 'find: cannot create a temporary file'
trap 'rm -f "$out"' EXIT
printf '%s\n' "$a_paths" | while IFS= read -r p; do
  [ -n "$p" ] || continue
  if [ ! -d "$p" ]; then printf 'M\t%s\n' "$p"; continue; fi
  printf 'P\t%s\n' "$p"
  find $L "$p" -mindepth 1 $a_maxdepth -exec stat $L -c 'F	%f	%u	%g	%s	%Y	%X	%Z	%i	%d	%h	%U	%G	%n' {} + 2>/dev/null
  if [ -n "$a_contains" ]; then
    # Python's re: line by line with match() (anchored at the line's start), or search() over the
    # whole file with read_whole_file. PCRE (grep -P) reads Python's syntax; -z makes the file one record.
    if echo | grep -qP '' 2>/dev/null; then
      if [ -n "$a_whole" ]; then find $L "$p" -mindepth 1 $a_maxdepth -type f -exec grep -lPz -e "$a_contains" {} + 2>/dev/null
      else find $L "$p" -mindepth 1 $a_maxdepth -type f -exec grep -lP -e "^(?:$a_contains)" {} + 2>/dev/null; fi
    else
      find $L "$p" -mindepth 1 $a_maxdepth -type f -exec grep -lE -e "^($a_contains)" {} + 2>/dev/null
    fi | sed 's/^/C	/'
  fi
  if [ -n "$a_sum" ]; then
    find $L "$p" -mindepth 1 $a_maxdepth -type f -exec sha1sum {} + 2>/dev/null | sed 's/^\([0-9a-f]*\)  /S	\1	/'
  fi
done > "$out"
blob listing "$out"
emit '"listed":true'
`;

interface Entry {
  path: string;
  raw: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  atime: number;
  ctime: number;
  inode: number;
  dev: number;
  nlink: number;
  owner: string;
  group: string;
  /** Listed only because Ansible examines one level below `depth`; never matched. */
  tooDeep: boolean;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const SIZES: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

function matcher(patterns: string[], useRegex: boolean): (name: string) => boolean {
  // use_regex: Python's re.match, anchored at the start only.
  const res = patterns.map((p) => (useRegex ? new RegExp(`^(?:${p})`) : fnmatchRegExp(p)));
  return (name) => res.some((r) => r.test(name));
}

function parseAmount(text: string, units: Record<string, number>, what: string, defaultUnit: string): number {
  const m = /^(-?\d+)([a-z]?)$/i.exec(text.trim());
  const unit = (m?.[2] || defaultUnit).toLowerCase();
  if (!m || units[unit] === undefined) throw argError(`find: failed to process ${what} '${text}': use a number with one of ${Object.keys(units).join(', ')}`);
  return Number(m[1]) * units[unit]!;
}

function statInfo(e: Entry, checksum: string | undefined): Record<string, unknown> {
  const perm = e.raw & 0o7777;
  const ft = e.raw & 0o170000;
  const bit = (b: number) => (perm & b) !== 0;
  return {
    path: e.path,
    mode: '0' + perm.toString(8).padStart(3, '0'),
    isdir: ft === 0o040000,
    ischr: ft === 0o020000,
    isblk: ft === 0o060000,
    isreg: ft === 0o100000,
    isfifo: ft === 0o010000,
    islnk: ft === 0o120000,
    issock: ft === 0o140000,
    uid: e.uid,
    gid: e.gid,
    size: e.size,
    inode: e.inode,
    dev: e.dev,
    nlink: e.nlink,
    atime: e.atime,
    mtime: e.mtime,
    ctime: e.ctime,
    gr_name: e.group,
    pw_name: e.owner,
    wusr: bit(0o200), rusr: bit(0o400), xusr: bit(0o100),
    wgrp: bit(0o020), rgrp: bit(0o040), xgrp: bit(0o010),
    woth: bit(0o002), roth: bit(0o004), xoth: bit(0o001),
    isuid: bit(0o4000), isgid: bit(0o2000),
    ...(checksum !== undefined ? { checksum } : {}),
  };
}

export const findModule: ModuleDefinition<Args> = {
  name: 'find',
  aliases: ['ansible.builtin.find', 'ansible.legacy.find'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const paths = a.paths ?? a.path ?? a.name;
    if (!paths || paths.length === 0) throw argError('find: missing required argument: paths');
    const patterns = a.patterns ?? a.pattern ?? [];
    const excludes = a.excludes ?? a.exclude ?? [];
    const age = a.age !== undefined ? parseAmount(a.age, UNITS, 'age', 's') : undefined;
    const size = a.size !== undefined ? parseAmount(a.size, SIZES, 'size', 'b') : undefined;
    // Ansible's os.walk lists one level below `depth` before pruning it: those count as examined.
    const depth = a.recurse ? a.depth : 1;
    const listDepth = a.recurse && depth !== undefined ? depth + 1 : depth;
    try {
      const out = await runNodeScript(
        ctx,
        shVars({
          a_paths: paths.join('\n'),
          a_follow: a.follow,
          a_maxdepth: listDepth !== undefined ? `-maxdepth ${listDepth}` : '',
          // A literal newline would split grep's pattern in two: PCRE reads \n as the same character.
          a_contains: a.contains === undefined ? '' : (a.read_whole_file ? pythonDollar(a.contains) : a.contains).replace(/\n/g, '\\n'),
          a_whole: a.read_whole_file,
          a_sum: a.get_checksum,
        }) + SCRIPT,
      );
      if (out.json['failed']) return { failed: true, msg: String(out.json['msg']) };
      const entries: Entry[] = [];
      const containing = new Set<string>();
      const sums = new Map<string, string>();
      const skipped: Record<string, string> = {};
      let searchRoot = '';
      const tooDeep = (path: string) => depth !== undefined && path.slice(searchRoot.replace(/\/+$/, '').length).split('/').length - 1 > depth;
      for (const line of (out.blobs['listing'] ?? Buffer.alloc(0)).toString('utf8').split('\n')) {
        const f = line.split('\t');
        if (f[0] === 'P') searchRoot = f.slice(1).join('\t');
        else if (f[0] === 'M') skipped[f[1]!] = `'${f[1]}' is not a directory`;
        else if (f[0] === 'C') containing.add(f.slice(1).join('\t'));
        else if (f[0] === 'S') sums.set(f.slice(2).join('\t'), f[1]!);
        else if (f[0] === 'F' && f.length >= 14) {
          const n = (i: number) => Number(f[i]);
          entries.push({
            raw: parseInt(f[1]!, 16), uid: n(2), gid: n(3), size: n(4), mtime: n(5), atime: n(6), ctime: n(7),
            inode: n(8), dev: n(9), nlink: n(10), owner: f[11]!, group: f[12]!, path: f.slice(13).join('\t'),
            tooDeep: false,
          });
          entries[entries.length - 1]!.tooDeep = tooDeep(entries[entries.length - 1]!.path);
        }
      }
      for (const p of Object.keys(skipped)) ctx.warn(`Skipped '${p}' path due to this access issue: ${skipped[p]}`);
      const wanted = patterns.length ? matcher(patterns, a.use_regex) : () => true;
      const excluded = excludes.length ? matcher(excludes, a.use_regex) : () => false;
      const now = Date.now() / 1000;
      const files: Record<string, unknown>[] = [];
      for (const e of entries) {
        if (e.tooDeep) continue;
        const base = e.path.slice(e.path.lastIndexOf('/') + 1);
        if (!a.hidden && base.startsWith('.')) continue;
        const ft = e.raw & 0o170000;
        const type = ft === 0o040000 ? 'directory' : ft === 0o120000 ? 'link' : ft === 0o100000 ? 'file' : 'other';
        if (a.file_type !== 'any' && a.file_type !== type) continue;
        if (!wanted(base) || excluded(base)) continue;
        if (age !== undefined) {
          const stamp = a.age_stamp === 'atime' ? e.atime : a.age_stamp === 'ctime' ? e.ctime : e.mtime;
          const old = now - stamp;
          if (age >= 0 ? old < age : old > -age) continue;
        }
        if (size !== undefined && type === 'file' && (size >= 0 ? e.size < size : e.size > -size)) continue;
        if (a.contains !== undefined && (type !== 'file' || !containing.has(e.path))) continue;
        files.push(statInfo(e, a.get_checksum && type === 'file' ? sums.get(e.path) : undefined));
      }
      const skippedPaths = Object.keys(skipped).length;
      return {
        changed: false,
        files,
        matched: files.length,
        examined: entries.length,
        msg: skippedPaths ? 'Not all paths examined, check warnings for details' : 'All paths examined',
        skipped_paths: skipped,
      };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};

/**
 * Python's `$` (without MULTILINE) matches at the end or before a final newline; GNU grep -Pz
 * matches it only at the very end of the record. Rewrite each bare `$` outside a class as that lookahead.
 */
function pythonDollar(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      if (pattern[i + 1] === '^') out += pattern[++i];
      if (pattern[i + 1] === ']') out += pattern[++i];
    } else out += c === '$' ? '(?=\\n?\\z)' : c;
  }
  return out;
}

/**
 * authorized_key: SSH public keys in a user's authorized_keys (ansible.posix.authorized_key).
 *
 * Arguments:
 * - user (required), key (required: one or more key lines; lines starting with # are ignored).
 * - path: another file than ~user/.ssh/authorized_keys.   manage_dir (true): make the .ssh
 *   directory 0700 owned by the user (and the file 0600).
 * - state: present (default) | absent.   exclusive: remove every other key.
 * - key_options: options put before each key ('no-port-forwarding,from="10.0.0.0/8"').
 * - comment: replace the keys' comments.   follow: write through a symlinked file.
 * Keys given as URLs (key: https://github.com/x.keys) are refused with a message.
 *
 * Keys match on their base64 body; a present key whose type, options or comment differ is
 * rewritten and moves to the end, and the file is written as the collection serializes it
 * ("options type body comment", comment lines and unparsable lines kept in place). Returns the
 * arguments plus keyfile and changed; diff {before, after} with --diff. Check mode writes nothing.
 */
import { z } from 'zod';
import type { ModuleDefinition, ModuleResult } from '../types.js';
import { bool, str } from './args.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    user: str,
    key: str,
    path: str.optional(),
    manage_dir: bool.default(true),
    state: z.enum(['present', 'absent']).default('present'),
    key_options: str.optional(),
    exclusive: bool.default(false),
    comment: str.optional(),
    validate_certs: bool.default(true),
    follow: bool.default(false),
  })
  .strict();
type Args = z.infer<typeof schema>;

const KEY_TYPES = new Set([
  'sk-ecdsa-sha2-nistp256@openssh.com', 'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com', 'webauthn-sk-ecdsa-sha2-nistp256@openssh.com',
  'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp256-cert-v01@openssh.com', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521', 'ecdsa-sha2-nistp521-cert-v01@openssh.com', 'sk-ssh-ed25519@openssh.com', 'sk-ssh-ed25519-cert-v01@openssh.com',
  'ssh-ed25519', 'ssh-ed25519-cert-v01@openssh.com', 'ssh-dss', 'ssh-rsa', 'ssh-xmss@openssh.com', 'ssh-xmss-cert-v01@openssh.com',
  'rsa-sha2-256', 'rsa-sha2-512', 'ssh-rsa-cert-v01@openssh.com', 'rsa-sha2-256-cert-v01@openssh.com', 'rsa-sha2-512-cert-v01@openssh.com',
  'ssh-dss-cert-v01@openssh.com',
]);

/** A parsed line: a key (type set) or a line kept as it is (type 'skipped'). */
interface Entry {
  body: string;
  type: string;
  options: [string, string | null][];
  comment: string | null;
  rank: number;
}

function parseOptions(s: string | null | undefined): [string, string | null][] {
  if (!s) return [];
  const out: [string, string | null][] = [];
  for (const part of s.match(/(?:[^,"']|"[^"]*"|'[^']*')+/g) ?? []) {
    const i = part.indexOf('=');
    const k = i < 0 ? part : part.slice(0, i);
    const v = i < 0 ? null : part.slice(i + 1);
    const at = out.findIndex(([x]) => x === k);
    if (at >= 0) out[at] = [k, v];
    else out.push([k, v]);
  }
  return out;
}

function parseKey(raw: string, rank: number): Entry | undefined {
  const line = raw.replace(/\\#/g, '#');
  const parts = line.split(/\s+/).filter(Boolean);
  if (parts[0] === '#') return { body: line, type: 'skipped', options: [], comment: null, rank };
  const t = parts.findIndex((p) => KEY_TYPES.has(p));
  if (t < 0) return undefined;
  return { body: parts[t + 1] ?? '', type: parts[t]!, options: parseOptions(t > 0 ? parts.slice(0, t).join(' ') : null), comment: parts.slice(t + 2).join(' '), rank };
}

function parseFile(text: string): Map<string, Entry> {
  const keys = new Map<string, Entry>();
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  lines.forEach((line, i) => {
    const k = parseKey(line, i);
    if (k) keys.set(k.body, k);
    else keys.set(line, { body: line, type: 'skipped', options: [], comment: null, rank: i });
  });
  return keys;
}

function serialize(keys: Map<string, Entry>): string {
  return [...keys.values()]
    .sort((a, b) => a.rank - b.rank)
    .map((k) => {
      if (k.type === 'skipped') return k.body;
      const opts = k.options.length ? k.options.map(([o, v]) => (v === null ? o : `${o}=${v}`)).join(',') + ' ' : '';
      return `${opts}${k.type} ${k.body} ${k.comment}\n`;
    })
    .join('');
}

const sameOptions = (a: [string, string | null][], b: [string, string | null][]): boolean =>
  a.length === b.length && a.every(([k, v]) => b.some(([k2, v2]) => k2 === k && v2 === v));

const READ = String.raw`
home=$(getent passwd "$u" | cut -d: -f6)
if [ -z "$home" ] && ! getent passwd "$u" >/dev/null; then
  if [ -n "$a_check" ] && [ -z "$p" ]; then fail "Either user must exist or you must provide full path to key file in check mode"; fi
  [ -z "$a_check" ] && fail "Failed to lookup user $u: \"getpwnam(): name not found: '$u'\""
fi
f=${'$'}{p:-$home/.ssh/authorized_keys}
[ -n "$a_follow" ] && [ -e "$f" ] && f=$(readlink -f "$f")
jsv "$f"
printf '{"keyfile":%s}\n' "$_j"
[ -f "$f" ] && cat "$f"
`;

const WRITE = String.raw`
uid=$(id -u "$u") || fail "Failed to lookup user $u"
gid=$(id -g "$u")
d=$(dirname "$f")
if [ -n "$a_manage" ]; then
  [ -d "$d" ] || mkdir -m 0700 "$d" || fail "Failed to create directory $d"
  chown "$uid:$gid" "$d"; chmod 0700 "$d"
fi
if [ ! -e "$f" ]; then
  mkdir -p "$d"
  : > "$f" || fail "Failed to write to file $f"
  chmod 0600 "$f"
  [ -n "$a_manage" ] && chown "$uid:$gid" "$f"
fi
t=$(mktemp "$f.XXXXXX") || fail "Failed to write to file $f"
cat > "$t" || fail "Failed to write to file $t"
chmod "$(stat -c %a "$f")" "$t"; chown "$(stat -c %u:%g "$f")" "$t"
mv -f "$t" "$f" || fail "Failed to write to file $f"
printf '{"ok":true}\n'
`;

export const authorizedKeyModule: ModuleDefinition<Args> = {
  name: 'authorized_key',
  aliases: ['ansible.posix.authorized_key'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const echo: ModuleResult = { user: a.user, key: a.key, path: a.path ?? null, manage_dir: a.manage_dir, state: a.state, key_options: a.key_options ?? null, exclusive: a.exclusive, comment: a.comment ?? null, validate_certs: a.validate_certs, follow: a.follow };
    if (a.key.startsWith('http')) return { failed: true, changed: false, msg: `authorized_key: keys from a URL (${a.key}) are not supported by philote yet; fetch them with uri or get_url and pass the text` };
    const vars = shVars({ u: a.user, p: a.path, a_follow: a.follow, a_check: ctx.checkMode, a_manage: a.manage_dir });
    let read;
    try {
      read = await runNodeScript(ctx, vars + READ);
    } catch (e) {
      return moduleFailure(e);
    }
    if (read.json['failed']) return { failed: true, changed: false, msg: String(read.json['msg']) };
    const keyfile = String(read.json['keyfile']);
    const before = read.tail ?? '';
    const keys = parseFile(before);
    const maxRank = keys.size;
    const wanted: string[] = [];
    let write = false;
    const newLines = a.key.split(/\r?\n/).filter((l) => l && !l.startsWith('#'));
    for (const [i, line] of newLines.entries()) {
      const k = parseKey(line, i);
      if (!k) return { failed: true, changed: false, msg: `invalid key specified: ${line}` };
      if (a.key_options !== undefined) k.options = parseOptions(a.key_options);
      if (a.comment !== undefined) k.comment = a.comment;
      const old = keys.get(k.body);
      const differs = old !== undefined && (old.type !== k.type || !sameOptions(old.options, k.options) || old.comment !== k.comment);
      const matched = old !== undefined && !(differs && a.state === 'present');
      if (a.state === 'present') {
        wanted.push(k.body);
        if (differs) {
          keys.delete(k.body);
          write = true;
        }
        if (!matched) {
          keys.set(k.body, { ...k, rank: maxRank + i });
          write = true;
        }
      } else if (matched) {
        keys.delete(k.body);
        write = true;
      }
    }
    if (a.state === 'present' && a.exclusive) {
      for (const body of [...keys.keys()]) {
        if (!wanted.includes(body)) {
          keys.delete(body);
          write = true;
        }
      }
    }
    if (!write) return { changed: false, ...echo, keyfile };
    const after = serialize(keys);
    if (!ctx.checkMode) {
      let out;
      try {
        out = await runNodeScript(ctx, shVars({ u: a.user, f: keyfile, a_manage: a.manage_dir }) + WRITE, after);
      } catch (e) {
        return moduleFailure(e);
      }
      if (out.json['failed']) return { failed: true, changed: false, msg: String(out.json['msg']) };
    }
    return {
      changed: true,
      ...echo,
      keyfile,
      ...(ctx.diffMode ? { diff: { before_header: keyfile, after_header: keyfile, before, after } } : {}),
    };
  },
};

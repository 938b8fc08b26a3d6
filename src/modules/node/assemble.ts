/**
 * assemble: join the fragments of a directory into one file (ansible.builtin.assemble).
 *
 * Arguments:
 * - src (required): the directory of fragments, on the node (default) or, with remote_src: false,
 *   on the controller (found in files/).                           `src: /etc/k3s/config.d`
 * - dest (required): the file to write.                           `dest: /etc/rancher/k3s/config.yaml`
 * - delimiter: written between fragments (escapes such as \n are decoded), always followed by a newline.
 * - regexp: only fragments whose name this Python regex finds something in.   `regexp: '\.yaml$'`
 * - ignore_hidden: skip fragments whose name starts with a dot.
 * - remote_src (default true), decrypt (vault files from the controller, default true).
 * - backup, validate, mode, owner, group: as copy.
 *
 * Fragments are taken in sorted name order; a fragment that does not end with a newline gets one
 * before the next (assemble_from_fragments). Returns as copy (dest, checksum, state...), msg 'OK'.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../types.js';
import { bool, str } from './args.js';
import { attrFields } from './attrs.js';
import { pyRegex } from './edit.js';
import { argError, moduleFailure, runNodeScript, shVars } from './script.js';
import { writeFile } from './write-file.js';
import { decryptIfVault } from '../../vault/index.js';

const schema = z
  .object({
    src: str,
    dest: str,
    delimiter: str.optional(),
    regexp: str.optional(),
    ignore_hidden: bool.default(false),
    remote_src: bool.default(true),
    decrypt: bool.default(true),
    backup: bool.default(false),
    validate: str.optional(),
    ...attrFields,
  })
  .passthrough();
type Args = z.infer<typeof schema>;

interface Fragment {
  name: string;
  content: Buffer;
}

/** Python's codecs.escape_decode on the delimiter: \n, \t, \\, \xHH and octal escapes. */
function escapeDecode(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|[\\'"abfnrtv\n])/g, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    const map: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '' };
    return map[e] ?? e;
  });
}

/** assemble_from_fragments: sorted order, a newline after a fragment without one, the delimiter between fragments. */
export function assembleFragments(fragments: Fragment[], delimiter?: string): Buffer {
  const parts: Buffer[] = [];
  let delim = delimiter;
  let addNewline = false;
  fragments.forEach((f, i) => {
    if (addNewline) parts.push(Buffer.from('\n'));
    if (i > 0 && delim) {
      // Decoded again for every fragment, as the module does.
      delim = escapeDecode(delim);
      // The module's check compares a byte with b'\n' (never equal on Python 3): a newline always follows.
      parts.push(Buffer.from(delim, 'latin1'), Buffer.from('\n'));
    }
    parts.push(f.content);
    addNewline = !f.content.toString('latin1').endsWith('\n');
  });
  return Buffer.concat(parts);
}

async function controllerFragments(dir: string, decrypt: boolean): Promise<Fragment[]> {
  const out: Fragment[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const p = join(dir, name);
    if (!(await stat(p)).isFile()) continue;
    const raw = await readFile(p);
    out.push({ name, content: decrypt ? decryptIfVault(raw, p) : raw });
  }
  return out;
}

async function nodeFragments(ctx: ModuleContext, dir: string): Promise<Fragment[] | ModuleResult> {
  const script =
    shVars({ a_src: dir }) +
    String.raw`
[ -e "$a_src" ] || { printf '{"nodir":"missing"}\n'; exit 0; }
[ -d "$a_src" ] || { printf '{"nodir":"file"}\n'; exit 0; }
cd "$a_src" || fail "cannot enter $a_src"
t=$(mktemp) || fail "cannot create a temporary file"
trap 'rm -f "$t"' EXIT
LC_ALL=C ls -A > "$t"
i=0
while IFS= read -r f; do
  [ -f "$f" ] || continue
  i=$((i + 1))
  blob "n$i" "$f"
  printf '%s\n' "$f" >> "$t.names"
done < "$t"
[ -f "$t.names" ] && blob names "$t.names"
emit "\"count\":$i"
rm -f "$t.names"
`;
  let out;
  try {
    out = await runNodeScript(ctx, script);
  } catch (e) {
    return moduleFailure(e);
  }
  if (out.json['failed']) return { ...out.json, changed: false } as ModuleResult;
  if (out.json['nodir']) return { failed: true, changed: false, msg: out.json['nodir'] === 'missing' ? `Source (${dir}) does not exist` : `Source (${dir}) is not a directory` };
  const names = (out.blobs['names']?.toString('utf8') ?? '').split('\n').filter(Boolean);
  return names.map((name, i) => ({ name, content: out.blobs[`n${i + 1}`] ?? Buffer.alloc(0) }));
}

export const assembleModule: ModuleDefinition<Args> = {
  name: 'assemble',
  aliases: ['ansible.builtin.assemble', 'ansible.legacy.assemble'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    if (a.validate !== undefined && !a.validate.includes('%s')) return { failed: true, changed: false, msg: `validate must contain %s: ${a.validate}` };
    let fragments: Fragment[];
    if (a.remote_src) {
      const r = await nodeFragments(ctx, a.src);
      if (!Array.isArray(r)) return r;
      fragments = r;
    } else {
      const local = ctx.findFile('files', a.src);
      if (!local || !(await stat(local).catch(() => undefined))?.isDirectory()) return { failed: true, changed: false, msg: `Source (${a.src}) is not a directory` };
      fragments = await controllerFragments(local, a.decrypt);
    }
    let re: RegExp | undefined;
    if (a.regexp !== undefined) {
      try {
        re = pyRegex(a.regexp);
      } catch {
        throw argError(`Invalid Regexp (${a.regexp}) in "${a.regexp}"`);
      }
    }
    const picked = fragments.filter((f) => (!re || re.test(f.name)) && !(a.ignore_hidden && f.name.startsWith('.')));
    const content = assembleFragments(picked, a.delimiter);
    const res = await writeFile(ctx, { dest: a.dest, content, mode: a.mode, owner: a.owner, group: a.group, backup: a.backup, validate: a.validate, basename: a.dest.replace(/.*\//, '') });
    if (!res.failed) {
      res['src'] = a.src;
      res['msg'] = 'OK';
    }
    return res;
  },
};

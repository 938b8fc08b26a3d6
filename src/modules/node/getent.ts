/**
 * getent: read a name service database on the node into facts (ansible.builtin.getent).
 *
 * Arguments:
 * - database (required): passwd, group, shadow, hosts, services...   `database: passwd`
 * - key: one entry instead of the whole database.                   `key: k3s`
 * - service: the NSS service to ask (getent -s).
 * - split: the field separator; ':' for passwd, shadow, group and gshadow, whitespace otherwise.
 * - fail_key (default true): false makes a missing key an ok result with the key set to None.
 *
 * Returns: ansible_facts.getent_<database> = {first field: [other fields]}, a list of those
 * lists when a first field repeats. Read only, so check mode runs it too.
 */
import { z } from 'zod';
import type { ModuleDefinition, ModuleResult } from '../types.js';
import { bool, str } from './args.js';
import { NEED_BIN } from './bin-path.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    database: str,
    key: str.optional(),
    service: str.optional(),
    split: str.optional(),
    fail_key: bool.default(true),
  })
  .strict();
type Args = z.infer<typeof schema>;

const COLON_DATABASES = ['passwd', 'shadow', 'group', 'gshadow'];

const SCRIPT =
  NEED_BIN +
  String.raw`
need_bin getent
t=$(mktemp) || fail "cannot create a temporary file"
trap 'rm -f "$t"' EXIT
if [ -n "$a_has_key" ]; then set -- "$a_db" "$a_key"; else set -- "$a_db"; fi
[ -n "$a_service" ] && set -- "$@" -s "$a_service"
"$bin" "$@" > "$t" 2>/dev/null
rc=$?
blob out "$t"
emit "\"rc\":$rc"
`;

/** Python's str.split(sep), or str.split() (runs of whitespace, no empty ends) without one. */
function pySplit(line: string, sep: string | undefined): string[] {
  if (sep === undefined) return line.split(/\s+/).filter((x) => x !== '');
  return line.split(sep);
}

export const getentModule: ModuleDefinition<Args> = {
  name: 'getent',
  aliases: ['ansible.builtin.getent', 'ansible.legacy.getent'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    let out;
    try {
      out = await runNodeScript(ctx, shVars({ a_db: a.database, a_key: a.key ?? '', a_has_key: a.key !== undefined, a_service: a.service ?? '' }) + SCRIPT);
    } catch (e) {
      return moduleFailure(e);
    }
    if (out.json['failed']) return { ...out.json, changed: false } as ModuleResult;
    const split = a.split ?? (COLON_DATABASES.includes(a.database) ? ':' : undefined);
    const tree = `getent_${a.database}`;
    const entries: Record<string, unknown> = {};
    const rc = out.json['rc'];
    if (rc === 0) {
      const seen = new Map<string, number>();
      for (const line of (out.blobs['out']?.toString('utf8') ?? '').split(/\r?\n|\r/)) {
        if (line === '') continue;
        const record = pySplit(line, split);
        const first = record[0] ?? '';
        const n = seen.get(first) ?? 0;
        if (n === 0) entries[first] = record.slice(1);
        else {
          if (n === 1) entries[first] = [entries[first]];
          (entries[first] as unknown[]).push(record.slice(1));
        }
        seen.set(first, n + 1);
      }
      return { changed: false, ansible_facts: { [tree]: entries } };
    }
    if (rc === 2) {
      const msg = 'One or more supplied key could not be found in the database.';
      if (!a.fail_key) return { changed: false, msg, ansible_facts: { [tree]: { [a.key ?? 'None']: null } } };
      return { failed: true, changed: false, msg };
    }
    const msg = rc === 1 ? 'Missing arguments, or database unknown.' : rc === 3 ? 'Enumeration not supported on this database.' : 'Unexpected failure!';
    return { failed: true, changed: false, msg };
  },
};

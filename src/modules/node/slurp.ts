/**
 * slurp: a file's content from the node, base64-encoded (ansible.builtin.slurp). Changes nothing.
 *
 * Arguments:
 * - src (alias path): the file.                                   `src: /etc/rancher/k3s/config.yaml`
 *
 * Returns: content (base64), encoding ("base64"), source. Read with `| b64decode`.
 * The node encodes with its own `base64` (coreutils or BusyBox), so binary files survive.
 */
import { z } from 'zod';
import type { ModuleDefinition, ModuleContext } from '../types.js';
import { str } from './args.js';
import { argError, moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z.object({ src: str.optional(), path: str.optional() }).strict();
type Args = z.infer<typeof schema>;

const SCRIPT = String.raw`
[ -e "$a_src" ] || fail "file not found: $a_src"
[ -d "$a_src" ] && fail "source is a directory and must be a file: $a_src"
[ -r "$a_src" ] || fail "file is not readable: $a_src"
printf '{"sha1":"%s"}\n' "$(sha1 "$a_src")"
base64 < "$a_src" | tr -d '\n'
`;

/** Read a node file (as the task's become user) in one exec: its bytes and sha1, or the failure message. */
export async function readNodeFile(ctx: Pick<ModuleContext, 'connection' | 'become' | 'environment' | 'timeoutMs' | 'signal'>, src: string): Promise<{ data: Buffer; sha1: string } | { failed: string }> {
  const res = await runNodeScript(ctx, shVars({ a_src: src }) + SCRIPT);
  if (res.json['failed']) return { failed: String(res.json['msg']) };
  return { data: Buffer.from(res.tail ?? '', 'base64'), sha1: String(res.json['sha1']) };
}

export const slurpModule: ModuleDefinition<Args> = {
  name: 'slurp',
  aliases: ['ansible.builtin.slurp', 'ansible.legacy.slurp'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const src = ctx.args.src ?? ctx.args.path;
    if (!src) throw argError('slurp: missing required argument: src');
    try {
      const r = await readNodeFile(ctx, src);
      if ('failed' in r) return { failed: true, changed: false, msg: r.failed };
      return { changed: false, content: r.data.toString('base64'), encoding: 'base64', source: src };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};

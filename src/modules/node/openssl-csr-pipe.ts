/**
 * openssl_csr_pipe (community.crypto.openssl_csr_pipe): openssl_csr without a file: the request
 * is returned as `csr`. Given `content` (an existing request), it is kept when it is signed by the
 * key and has the subject and extensions the arguments ask for (changed false, csr = content);
 * else a new one is made with the node's openssl. The same arguments as openssl_csr for the
 * request (privatekey_path or privatekey_content, subject fields, SANs, usages, constraints) and
 * the same refusals. Check mode makes nothing: csr is the content given, or null.
 */
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../types.js';
import { str } from './args.js';
import { MAKE_CSR, checkedRequest, csrSchema, requestInput, sameRequest } from './openssl-csr.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';
import { z } from 'zod';

const schema = csrSchema
  .omit({ path: true, state: true, force: true, backup: true, return_content: true, mode: true, owner: true, group: true, seuser: true, serole: true, setype: true, selevel: true, unsafe_writes: true, attributes: true })
  .extend({ content: str.optional() });
type Args = z.infer<typeof schema>;

/** Compare with the content given (when given) and make a new request unless told it is not needed. */
const PIPE = String.raw`
: > "$t/old"; : > "$t/newtxt"; : > "$t/new"; ok=false
if [ -n "$a_content" ]; then
  printf '%s\n' "$a_content" > "$t/given"
  openssl req -in "$t/given" -noout -verify > /dev/null 2>&1 && { ok=true; openssl req -in "$t/given" -noout -text > "$t/old" 2>/dev/null; }
fi
if [ -n "$a_content" ] || [ -z "$a_check" ]; then make_new; openssl req -in "$t/new" -noout -text > "$t/newtxt"; fi
blob old "$t/old"; blob newtxt "$t/newtxt"; blob new "$t/new"
emit "\"verifies\":$ok"
`;

export const opensslCsrPipeModule: ModuleDefinition<Args> = {
  name: 'openssl_csr_pipe',
  aliases: ['community.crypto.openssl_csr_pipe'],
  runsOn: 'node',
  schema,
  async run(ctx: ModuleContext<Args>) {
    const a = ctx.args;
    const fail = (msg: string): ModuleResult => ({ failed: true, changed: false, msg });
    const req = checkedRequest(a);
    if (typeof req === 'string') return fail(req);
    const { stdin, vars } = requestInput(a);
    try {
      const out = await runNodeScript(ctx, vars + shVars({ a_content: a.content, a_check: ctx.checkMode }) + MAKE_CSR + PIPE, stdin, { secret: true });
      if (out.json['failed']) return fail(String(out.json['msg']));
      const text = (n: string) => (out.blobs[n] ?? Buffer.alloc(0)).toString('utf8');
      const keep = a.content !== undefined && out.json['verifies'] === true && sameRequest(text('old'), text('newtxt'));
      const csr = keep || ctx.checkMode ? (a.content ?? null) : text('new');
      return { changed: !keep, privatekey: a.privatekey_path ?? null, ...req.returns, csr };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};

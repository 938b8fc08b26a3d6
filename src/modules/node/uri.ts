/**
 * uri: an HTTP request made from the node with curl (ansible.builtin.uri), e.g. to wait for a
 * K3s API or a health endpoint the controller cannot reach.
 *
 * Arguments:
 * - url, method (default GET), body, body_format raw|json|form-urlencoded (json and form encode a
 *   dict), headers (dict), status_code (list, default [200]), return_content (default false),
 *   timeout (default 30), url_username/url_password with force_basic_auth, validate_certs,
 *   follow_redirects (default safe: follow for GET/HEAD), dest (save the body to a file).
 *   `url: https://10.0.0.1:6443/readyz` `validate_certs: false` `status_code: [200, 401]`
 *
 * Returns: status, url, msg "OK (N bytes)", content (with return_content), json (when the body
 * is JSON and return_content or its content type says json), the response headers lower-cased
 * with dashes as underscores (content_type, content_length...), redirected, elapsed, changed
 * (only when dest was written).
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, int, str } from './args.js';
import { curlConfig, hasSecret } from './request-config.js';
import { argError, moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    url: str,
    method: str.default('GET'),
    body: z.unknown().optional(),
    body_format: z.enum(['raw', 'json', 'form-urlencoded']).default('raw'),
    headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    status_code: z.preprocess((v) => (Array.isArray(v) ? v : [v]).map((x) => Number(x)), z.array(z.number().int())).default([200]),
    return_content: bool.default(false),
    timeout: int.default(30),
    url_username: str.optional(),
    user: str.optional(),
    url_password: str.optional(),
    password: str.optional(),
    force_basic_auth: bool.default(false),
    validate_certs: bool.default(true),
    follow_redirects: z.enum(['all', 'none', 'safe', 'urllib2', 'yes', 'no']).default('safe'),
    dest: str.optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

const SCRIPT = String.raw`
command -v curl >/dev/null 2>&1 || fail "curl was not found on the node: the uri module needs it"
t=$(mktemp -d) || fail "cannot create a temporary directory"
trap 'rm -rf "$t"' EXIT
started=$(date +%s)
if [ -n "$a_hasbody" ]; then data='--data-binary @-'; else data=; fi
# URL, headers and credentials from a config file written by a builtin: never in curl's argv.
printf '%s' "$a_cfg" > "$t/cfg"
w=$(eval "curl -sS -K \"\$t/cfg\" $a_opts --max-time \"\$a_timeout\" -X \"\$a_method\" $data -D \"\$t/h\" -o \"\$t/b\" -w '%{http_code} %{num_redirects}'" 2>"$t/e") || fail "Status code was -1 and not [$a_codes]: Request failed: $(cat "$t/e")"
set -- $w
code=$1; redirects=$2
ch=
if [ -n "$a_dest" ]; then
  if ! cmp -s "$t/b" "$a_dest" 2>/dev/null; then cp "$t/b" "$a_dest" || fail "could not write $a_dest"; ch=1; fi
fi
blob headers "$t/h"; blob body "$t/b"
emit "\"status\":$code,\"redirects\":$redirects,\"changed\":$( [ -n "$ch" ] && printf true || printf false ),\"elapsed\":$(( $(date +%s) - started ))"
`;

/** Header lines of the last response (after redirects), as Ansible's keys. */
function parseHeaders(raw: string): Record<string, string> {
  const blocks = raw.split(/\r?\n\r?\n/).filter((b) => b.trim() !== '');
  const last = blocks[blocks.length - 1] ?? '';
  const out: Record<string, string> = {};
  for (const line of last.split(/\r?\n/).slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase().replace(/-/g, '_')] = line.slice(i + 1).trim();
  }
  return out;
}

export const uriModule: ModuleDefinition<Args> = {
  name: 'uri',
  aliases: ['ansible.builtin.uri', 'ansible.legacy.uri'],
  runsOn: 'node',
  // Ansible: check_mode support none (a request may change anything); its action plugin names the module so.
  noCheckMode: { name: 'ansible.legacy.uri' },
  schema,
  async run(ctx) {
    const a = ctx.args;
    if (!/^https?:\/\//.test(a.url)) throw argError(`uri: url must be http or https: ${a.url}`);
    const opts: string[] = [];
    const headers: Record<string, string> = Object.fromEntries(Object.entries(a.headers).map(([k, v]) => [k, String(v)]));
    let body: string | undefined;
    if (a.body !== undefined && a.body !== null) {
      if (a.body_format === 'json') {
        body = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
        headers['Content-Type'] ??= 'application/json';
      } else if (a.body_format === 'form-urlencoded') {
        if (typeof a.body !== 'object') throw argError('uri: body_format form-urlencoded needs body as a dict');
        body = new URLSearchParams(Object.entries(a.body as Record<string, unknown>).map(([k, v]) => [k, String(v)])).toString();
        headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
      } else body = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
    }
    if (!a.validate_certs) opts.push('-k');
    const user = a.url_username ?? a.user;
    const password = a.url_password ?? a.password;
    const request = { url: a.url, headers, ...(user !== undefined ? { user } : {}), ...(password !== undefined ? { password } : {}) };
    const method = a.method.toUpperCase();
    const follow = a.follow_redirects === 'all' || a.follow_redirects === 'yes' || (['safe', 'urllib2'].includes(a.follow_redirects) && (method === 'GET' || method === 'HEAD'));
    if (follow) opts.push('-L');
    if (method === 'HEAD') opts.push('-I');
    try {
      const out = await runNodeScript(
        ctx,
        shVars({ a_url: a.url, a_cfg: curlConfig(request), a_method: method, a_opts: opts.join(' '), a_timeout: a.timeout, a_hasbody: body !== undefined, a_dest: a.dest ?? '', a_codes: a.status_code.join(', ') }) + SCRIPT,
        body,
        { secret: hasSecret(request) },
      );
      const j = out.json;
      if (j['failed']) return { failed: true, changed: false, url: a.url, status: -1, msg: String(j['msg']) };
      const status = j['status'] as number;
      const text = (out.blobs['body'] ?? Buffer.alloc(0)).toString('utf8');
      const h = parseHeaders((out.blobs['headers'] ?? Buffer.alloc(0)).toString('utf8'));
      const result: Record<string, unknown> = {
        ...h,
        changed: j['changed'] === true,
        status,
        url: a.url,
        redirected: (j['redirects'] as number) > 0,
        elapsed: j['elapsed'],
        cookies: {},
        cookies_string: '',
        msg: `OK (${h['content_length'] ?? Buffer.byteLength(text)} bytes)`,
      };
      if (a.return_content) result['content'] = text;
      if (a.return_content || /json/.test(h['content_type'] ?? '')) {
        try {
          result['json'] = JSON.parse(text);
        } catch {
          /* not JSON: Ansible leaves json out too */
        }
      }
      if (!a.status_code.includes(status)) {
        return { ...result, failed: true, msg: `Status code was ${status} and not [${a.status_code.join(', ')}]: HTTP Error ${status}` };
      }
      return result;
    } catch (e) {
      return moduleFailure(e);
    }
  },
};

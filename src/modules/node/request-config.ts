/**
 * The secret parts of an HTTP request made on the node (uri, get_url): URL, headers and basic-auth
 * credentials go into a curl config file (`curl -K FILE`) or a wgetrc (`wget --config=FILE`)
 * that the script writes with the `printf` builtin into its 0700 scratch directory, so a password
 * or an Authorization header is never in the argv of a node process (`ps` shows everything else).
 */
import { argError } from './script.js';

export interface RequestParts {
  url: string;
  headers: Record<string, string>;
  user?: string;
  password?: string;
}

/** Header names whose values are credentials (Ansible hides them the same way in its logs). */
const SECRET_HEADERS = /^(authorization|proxy-authorization|cookie|x-auth-token|x-api-key)$/i;

/** Whether the request carries a credential: the module then ships its script on stdin too. */
export function hasSecret(p: RequestParts): boolean {
  return p.password !== undefined || Object.keys(p.headers).some((k) => SECRET_HEADERS.test(k)) || /^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(p.url);
}

function noNewline(what: string, v: string): string {
  if (/[\r\n]/.test(v)) throw argError(`${what} must not contain a line break`);
  return v;
}

/** curl's config syntax: `name = "value"` with \\ and \" escaped. */
function curlQuote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function curlConfig(p: RequestParts): string {
  const lines = [`url = ${curlQuote(noNewline('url', p.url))}`];
  for (const [k, v] of Object.entries(p.headers)) lines.push(`header = ${curlQuote(noNewline(`header ${k}`, `${k}: ${v}`))}`);
  if (p.user !== undefined) lines.push(`user = ${curlQuote(noNewline('url_username', `${p.user}:${p.password ?? ''}`))}`);
  return lines.join('\n') + '\n';
}

/** GNU wget's wgetrc syntax: `name = value` to the end of the line. */
export function wgetConfig(p: RequestParts): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(p.headers)) lines.push(`header = ${noNewline(`header ${k}`, `${k}: ${v}`)}`);
  if (p.user !== undefined) {
    lines.push(`user = ${noNewline('url_username', p.user)}`);
    lines.push(`password = ${noNewline('url_password', p.password ?? '')}`);
  }
  return lines.join('\n') + '\n';
}

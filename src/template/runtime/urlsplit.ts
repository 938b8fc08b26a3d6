/**
 * Python's urllib.parse.urlsplit, which Ansible's urlsplit filter and uri/url/urn tests use.
 * WHATWG's URL (Node's) normalises and rejects what Python keeps as text (`user:pass@` in the
 * netloc, relative references, unknown schemes, a path without a host), so it cannot stand in.
 */

export interface SplitUrl {
  scheme: string;
  netloc: string;
  path: string;
  query: string;
  fragment: string;
  username: string | null;
  password: string | null;
  hostname: string | null;
  port: number | null;
}

const SCHEME_CHARS = /^[A-Za-z][A-Za-z0-9+\-.]*$/;

export function urlsplit(url: string): SplitUrl {
  // Python strips leading C0 controls and spaces, and removes tabs and newlines anywhere.
  let rest = url.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  const colon = rest.indexOf(':');
  if (colon > 0 && SCHEME_CHARS.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end < 0 ? '' : rest.slice(end + 2);
  }
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const at = netloc.lastIndexOf('@');
  const userinfo = at >= 0 ? netloc.slice(0, at) : null;
  const hostport = at >= 0 ? netloc.slice(at + 1) : netloc;
  let username: string | null = null;
  let password: string | null = null;
  if (userinfo !== null) {
    const c = userinfo.indexOf(':');
    username = c >= 0 ? userinfo.slice(0, c) : userinfo;
    password = c >= 0 ? userinfo.slice(c + 1) : null;
  }
  let host = hostport;
  let portText: string | undefined;
  const bracket = hostport.match(/^\[([^\]]*)\](?::(.*))?$/);
  if (bracket) {
    host = bracket[1]!;
    portText = bracket[2];
  } else {
    const c = hostport.lastIndexOf(':');
    if (c >= 0) {
      host = hostport.slice(0, c);
      portText = hostport.slice(c + 1);
    }
  }
  let port: number | null = null;
  if (portText !== undefined && portText !== '') {
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new RangeError(`Port out of range 0-65535`);
    port = Number(portText);
  }
  return { scheme, netloc, path: rest, query, fragment, username, password, hostname: host ? host.toLowerCase() : null, port };
}

/**
 * URL filters: urldecode (Ansible's, Python's unquote_plus), urlize (Jinja's: links in text),
 * urlsplit (Ansible's, Python's urllib.parse.urlsplit fields).
 */
import type { FilterFn } from '../runtime/env.js';
import { TemplateRuntimeError } from '../runtime/env.js';
import { urlsplit } from '../runtime/urlsplit.js';
import { pyStr, truthy, Undefined } from '../runtime/values.js';
import { xmlEscape } from './core.js';

/** Python's unquote_plus: '+' is a space, %XX bytes decoded as UTF-8 (invalid bytes replaced). */
function unquotePlus(s: string): string {
  const bytes: number[] = [];
  const out: string[] = [];
  const flush = () => {
    if (bytes.length) out.push(Buffer.from(bytes).toString('utf8'));
    bytes.length = 0;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
      continue;
    }
    flush();
    out.push(c === '+' ? ' ' : c);
  }
  flush();
  return out.join('');
}

// What Jinja's urlize recognises as a web address: a scheme or "www." with a domain, a bare
// domain with a classic top-level domain, or a scheme with an IP address; then port and path.
const WEB_ADDRESS = new RegExp(
  '^(?:(?:https?://|www\\.)(?:[\\w%-]+\\.)*(?:[a-z]{2,63}|xn--[\\w%]{2,59})' +
    '|(?:[\\w%-]{2,63}\\.)+(?:com|net|int|edu|gov|org|info|mil)' +
    '|https?://(?:\\d{1,3}(?:\\.\\d{1,3}){3}|\\[(?:[\\da-f]{0,4}:){2}(?:[\\da-f]{0,4}:?){1,6}\\]))' +
    '(?::\\d{1,5})?(?:[/?#]\\S*)?$',
  'i',
);
const EMAIL = /^\S+@\w[\w.-]*\.\w+$/;

function urlizeWord(word: string, attrs: string, trim: (s: string) => string): string {
  let head = '';
  let middle = word;
  let tail = '';
  const lead = /^(?:[(<]|&lt;)+/.exec(middle);
  if (lead) {
    head = lead[0];
    middle = middle.slice(head.length);
  }
  const trail = /(?:[)>.,\n]|&gt;)+$/.exec(middle);
  if (trail) {
    tail = trail[0];
    middle = middle.slice(0, trail.index);
  }
  // Balanced brackets stay with the address: move closing ones back from the tail.
  for (const [open, close] of [['(', ')'], ['<', '>'], ['&lt;', '&gt;']] as const) {
    const opens = middle.split(open).length - 1;
    if (opens <= middle.split(close).length - 1) continue;
    for (let n = Math.min(opens, tail.split(close).length - 1); n > 0; n--) {
      const end = tail.indexOf(close) + close.length;
      middle += tail.slice(0, end);
      tail = tail.slice(end);
    }
  }
  if (WEB_ADDRESS.test(middle)) {
    const href = /^https?:\/\//.test(middle) ? middle : `https://${middle}`;
    middle = `<a href="${href}"${attrs}>${trim(middle)}</a>`;
  } else if (middle.startsWith('mailto:') && EMAIL.test(middle.slice(7))) {
    middle = `<a href="${middle}">${middle.slice(7)}</a>`;
  } else if (middle.includes('@') && !middle.startsWith('www.') && !middle.startsWith('@') && !middle.includes(':') && EMAIL.test(middle)) {
    middle = `<a href="mailto:${middle}">${middle}</a>`;
  }
  return head + middle + tail;
}

export const URL_FILTERS: Record<string, FilterFn> = {
  urldecode: (_s, v) => unquotePlus(pyStr(v)),
  urlize: (_s, v, a, k) => {
    const limit = a[0] ?? k['trim_url_limit'];
    // Jinja's order: trim_url_limit, nofollow, target, rel (rel defaults to "noopener").
    const target = a[2] ?? k['target'];
    const rel = a[3] ?? k['rel'] ?? 'noopener';
    const trim = (s: string) => (limit !== undefined && limit !== null && s.length > Number(limit) ? `${s.slice(0, Number(limit))}...` : s);
    const relAttr = truthy(a[1] ?? k['nofollow'] ?? false) ? ` rel="${xmlEscape(`nofollow ${pyStr(rel)}`.trim())}"` : rel ? ` rel="${xmlEscape(pyStr(rel))}"` : '';
    const attrs = relAttr + (target ? ` target="${xmlEscape(pyStr(target))}"` : '');
    return xmlEscape(pyStr(v))
      .split(/(\s+)/)
      .map((w, i) => (i % 2 ? w : urlizeWord(w, attrs, trim)))
      .join('');
  },
  urlsplit: (_s, v, a) => {
    if (v instanceof Undefined) throw new TemplateRuntimeError(v.message);
    const parts = urlsplit(pyStr(v)) as unknown as Record<string, unknown>;
    if (a[0] === undefined) return { ...parts };
    const q = pyStr(a[0]);
    if (!(q in parts)) throw new TemplateRuntimeError(`urlsplit: unknown URL component: ${q}`);
    return parts[q];
  },
};

/**
 * The community.general.yaml callback's dumper: PyYAML's block style (sorted keys, a sequence under
 * a key not indented) where a string with a line break becomes a `|-` literal block, trimmed of
 * trailing spaces, with tabs expanded (its MyDumper.represent_scalar). Scalars are written as
 * PyYAML writes them (pyYamlDump, shared with to_nice_yaml).
 */
import { pyYamlDump } from '../template/filters/serialize.js';

const LINE_BREAKS = /[\n\r\u001c\u001d\u001e\u0085\u2028\u2029]/;
type Dict = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
const isEmpty = (v: unknown) => (Array.isArray(v) && v.length === 0) || (isDict(v) && Object.keys(v).length === 0);

/** str.expandtabs(8), line by line. */
function expandTabs(line: string): string {
  let out = '';
  for (const ch of line) out += ch === '\t' ? ' '.repeat(8 - (out.length % 8)) : ch;
  return out;
}

/** MyDumper's clean-up of a block string, as Python does it. */
function blockText(value: string): string {
  let v = value.replace(/\s+$/, '');
  // Non-printable characters below U+00A0 go (string.printable keeps \t\n\r\x0b\x0c).
  v = [...v].filter((c) => c.codePointAt(0)! >= 0xa0 || /[\x20-\x7e\t\n\r\x0b\x0c]/.test(c)).join('');
  v = v.split('\n').map(expandTabs).join('\n');
  v = v.replace(/[\x0b\x0c\r]/g, '');
  return v.replace(/ +\n/g, '\n');
}

function scalar(v: unknown): string {
  return pyYamlDump(v).replace(/\n$/, '');
}

/** `key: |-` or `- |-` and the block's lines at `indent` spaces. */
function literal(lead: string, value: string, indent: number): string[] {
  const text = blockText(value);
  // An indentation indicator when the text starts with a space (PyYAML's determine_block_hints).
  const header = /^[ \n]/.test(text) ? '|2-' : '|-';
  const pad = ' '.repeat(indent);
  return [`${lead}${header}`, ...text.split('\n').map((l) => (l === '' ? '' : pad + l))];
}

function lines(v: unknown, level: number): string[] {
  const pad = ' '.repeat(level);
  const out: string[] = [];
  const entry = (lead: string, x: unknown, blockIndent: number): boolean => {
    if (typeof x === 'string' && LINE_BREAKS.test(x)) out.push(...literal(lead + ' ', x, blockIndent));
    else if ((!Array.isArray(x) && !isDict(x)) || isEmpty(x)) out.push(`${lead} ${scalar(x)}`);
    else return false;
    return true;
  };
  if (isDict(v)) {
    for (const k of Object.keys(v).sort()) {
      const x = v[k];
      if (entry(`${pad}${scalar(k)}:`, x, level + 2)) continue;
      out.push(`${pad}${scalar(k)}:`);
      out.push(...lines(x, Array.isArray(x) ? level : level + 2));
    }
  } else if (Array.isArray(v)) {
    for (const x of v) {
      if (entry(`${pad}-`, x, level + 2)) continue;
      const sub = lines(x, level + 2);
      sub[0] = `${pad}- ${sub[0]!.slice(level + 2)}`;
      out.push(...sub);
    }
  }
  return out;
}

/** yaml.dump(data, default_flow_style=False, width=1000, Dumper=MyDumper), ending with a newline. */
export function callbackYaml(v: unknown): string {
  if ((!Array.isArray(v) && !isDict(v)) || isEmpty(v)) {
    if (typeof v === 'string' && LINE_BREAKS.test(v)) return literal('', v, 2).join('\n') + '\n';
    return scalar(v) + '\n';
  }
  return lines(v, 0).join('\n') + '\n';
}

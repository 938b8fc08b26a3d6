/**
 * The fileglob filter (ansible.builtin's core.py): the files on the controller matching a path
 * pattern, as `[g for g in glob.glob(pattern) if os.path.isfile(g)]`. glob.glob reads wildcards
 * in every part of the path (fnmatch per part), and `*`/`?` do not match a leading dot unless the
 * part starts with one. Names in a directory come sorted (Python lists them in directory order,
 * which no playbook can rely on).
 */
import * as fs from 'node:fs';
import { fnmatchRegExp } from '../../values/fnmatch.js';

const MAGIC = /[*?[]/;

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** os.path.split: the head keeps a lone root slash; trailing slashes of the head go. */
function split(p: string): [string, string] {
  const i = p.lastIndexOf('/');
  if (i < 0) return ['', p];
  const head = p.slice(0, i + 1);
  return [/^\/+$/.test(head) ? head : head.replace(/\/+$/, ''), p.slice(i + 1)];
}

/** glob.glob(pattern) with recursive=False. */
export function pyGlob(pattern: string): string[] {
  if (!MAGIC.test(pattern)) return exists(pattern) ? [pattern] : [];
  const [dirname, basename] = split(pattern);
  const dirs = dirname === '' ? [''] : MAGIC.test(dirname) ? pyGlob(dirname).filter(isDir) : [dirname];
  const out: string[] = [];
  for (const d of dirs) {
    if (basename === '') {
      if (isDir(d)) out.push(pattern);
      continue;
    }
    if (!MAGIC.test(basename)) {
      const p = d === '' ? basename : `${d.replace(/\/$/, '')}/${basename}`;
      if (exists(p)) out.push(p);
      continue;
    }
    let names: string[];
    try {
      names = fs.readdirSync(d === '' ? '.' : d).sort();
    } catch {
      continue;
    }
    const re = fnmatchRegExp(basename);
    const hiddenToo = basename.startsWith('.');
    for (const n of names) {
      if (n.startsWith('.') && !hiddenToo) continue;
      if (re.test(n)) out.push(d === '' ? n : `${d.replace(/\/$/, '')}/${n}`);
    }
  }
  return out;
}

export function fileglob(pattern: string): string[] {
  return pyGlob(pattern).filter((p) => {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  });
}

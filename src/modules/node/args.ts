/**
 * Argument coercions shared by the node and net modules, matching Ansible's argument spec types:
 * booleans accept yes/no/true/false/on/off/1/0, ints accept numeric strings, lists accept a
 * comma-separated string, modes accept octal strings, ints and symbolic modes.
 */
import { z } from 'zod';
import { parseBoolean } from '../../values/booleans.js';

/** check_type_bool: Ansible's strict boolean(); anything else fails the type check. */
export const bool = z.preprocess((v) => parseBoolean(v) ?? v, z.boolean());

export const int = z.preprocess((v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v), z.number().int());
export const num = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v)) ? Number(v) : v), z.number());

/** str: Ansible converts numbers and booleans given for a str argument to their text. */
export const str = z.preprocess((v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v), z.string());

/** list of str: a comma-separated string or a scalar becomes a list. */
export const strList = z.preprocess((v) => {
  if (v === null || v === undefined) return v;
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'number' || typeof x === 'boolean' ? String(x) : x));
  if (typeof v === 'string') return v === '' ? [] : v.split(',').map((x) => x.trim());
  if (typeof v === 'number') return [String(v)];
  return v;
}, z.array(z.string()));

/**
 * mode: an int (already the mode bits, as YAML 1.1 reads 0644), an octal string ('0644', '644'),
 * a symbolic mode ('u=rw,g=r,o=r', 'a+x') or 'preserve'. Kept as a string: octal digits or symbolic.
 */
export const mode = z.preprocess((v) => (typeof v === 'number' ? v.toString(8) : v), z.string().refine((s) => /^0?[0-7]{1,4}$/.test(s) || s === 'preserve' || isSymbolicMode(s), { message: 'mode must be octal (0644) or symbolic (u=rw,g=r,o=r)' }));

export function isSymbolicMode(s: string): boolean {
  return /^([ugoa]*[-+=]([rwxXst]*|[ugo]))+(,([ugoa]*[-+=]([rwxXst]*|[ugo]))+)*$/.test(s);
}

/** Apply a mode argument to the current mode bits, as chmod does. isDir matters for 'X'. */
export function computeMode(spec: string, current: number, isDir: boolean): number {
  if (/^0?[0-7]{1,4}$/.test(spec)) return parseInt(spec, 8);
  let m = current & 0o7777;
  for (const clause of spec.split(',')) {
    const who = /^[ugoa]*/.exec(clause)![0];
    let rest = clause.slice(who.length);
    let mask = 0;
    const whoSet = who === '' ? 'a' : who;
    if (whoSet.includes('u') || whoSet.includes('a')) mask |= 0o4700;
    if (whoSet.includes('g') || whoSet.includes('a')) mask |= 0o2070;
    if (whoSet.includes('o') || whoSet.includes('a')) mask |= 0o1007;
    while (rest.length) {
      const op = rest[0]!;
      const permMatch = /^[-+=]([rwxXst]*|[ugo])/.exec(rest)!;
      const perms = permMatch[1]!;
      rest = rest.slice(permMatch[0].length);
      let bits = 0;
      if (/^[ugo]$/.test(perms)) {
        const src = perms === 'u' ? (m >> 6) & 7 : perms === 'g' ? (m >> 3) & 7 : m & 7;
        bits = (src << 6) | (src << 3) | src;
      } else {
        for (const p of perms) {
          if (p === 'r') bits |= 0o444;
          else if (p === 'w') bits |= 0o222;
          else if (p === 'x') bits |= 0o111;
          else if (p === 'X') {
            if (isDir || m & 0o111) bits |= 0o111;
          } else if (p === 's') bits |= 0o6000;
          else if (p === 't') bits |= 0o1000;
        }
      }
      bits &= mask;
      // Without a 'who', umask would apply in chmod; Ansible ignores umask here as well.
      if (op === '+') m |= bits;
      else if (op === '-') m &= ~bits;
      else m = (m & ~mask) | bits;
    }
  }
  return m & 0o7777;
}

/** '0644' style text for a mode, as Ansible returns it. */
export function modeText(m: number): string {
  return (m & 0o7777).toString(8).padStart(4, '0');
}

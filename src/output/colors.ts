/** Ansible's default colours (constants COLOR_*) and stringc(), which colours each line separately. */
import { boolean } from '../values/booleans.js';

export const COLOR = {
  ok: '0;32',
  changed: '0;33',
  error: '0;31',
  skip: '0;36',
  unreachable: '1;31',
  warn: '1;35',
  debug: '1;30',
  verbose: '0;34',
  deprecate: '0;35',
  diffAdd: '0;32',
  diffRemove: '0;31',
  diffLines: '0;36',
} as const;

export type ColorCode = (typeof COLOR)[keyof typeof COLOR];

export function stringc(text: string, color: ColorCode | undefined, enabled: boolean): string {
  if (!enabled || !color) return text;
  return text
    .split('\n')
    .map((t) => `\u001b[${color}m${t}\u001b[0m`)
    .join('\n');
}

/** Whether to colour: a TTY, unless NO_COLOR or ANSIBLE_NOCOLOR is set; ANSIBLE_FORCE_COLOR forces it. */
export function colorWanted(stream: { isTTY?: boolean }, env: Record<string, string | undefined> = process.env): boolean {
  const truthy = (v: string | undefined) => v !== undefined && boolean(v, false);
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (truthy(env.ANSIBLE_NOCOLOR)) return false;
  if (truthy(env.ANSIBLE_FORCE_COLOR)) return true;
  return stream.isTTY === true;
}

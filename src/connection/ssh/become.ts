/**
 * Privilege escalation over an ssh channel, the way Ansible does it: the escalated shell first
 * prints a one-time BECOME-SUCCESS marker, so we know exactly when sudo/su let us in. With a
 * password, sudo runs as `sudo -S -p <unique prompt>`; we write the password only after the
 * prompt shows up on stderr, and a second prompt (or "Sorry, try again") means a wrong password:
 * the channel is closed at once instead of hanging.
 */
import { randomBytes } from 'node:crypto';
import { shellQuote } from '../../values/shell-quote.js';
import type { BecomeSpec } from '../types.js';

export interface BecomePlan {
  command: string;
  marker: string;
  /** Text that announces a password prompt (sudo: our unique prompt; su: "assword"). */
  prompt?: string;
  password?: string;
  /** su reads its password from a terminal only. */
  pty: boolean;
  /** The command as the -vvvv trace shows it: the become part, the script by its size only. */
  shown: string;
}

export function planBecome(b: BecomeSpec, inner: string): BecomePlan {
  const id = randomBytes(12).toString('hex');
  const marker = `BECOME-SUCCESS-${id}`;
  const script = `echo ${marker}; ${inner}`;
  const hidden = `<script of ${Buffer.byteLength(script)} bytes>`;
  if (b.method === 'su') {
    const flags = b.flags ?? '';
    const head = `${b.exe ?? 'su'} ${flags} ${shellQuote(b.user)} -s /bin/sh -c`.replace(/\s+/g, ' ');
    return {
      command: `${head} ${shellQuote(script)}`,
      shown: `${head} ${hidden}`,
      marker,
      prompt: b.password !== undefined ? 'assword' : undefined,
      password: b.password,
      pty: b.password !== undefined,
    };
  }
  let flags = (b.flags ?? '-H -S -n').split(/\s+/).filter(Boolean);
  if (b.password !== undefined) {
    // A password needs sudo to ask (no -n) and to read it from stdin (-S).
    flags = flags.filter((f) => f !== '-n');
    if (!flags.includes('-S')) flags.push('-S');
  } else if (!flags.includes('-n')) {
    flags.push('-n');
  }
  const prompt = `[sudo via philote, key=${id}] password:`;
  const head = `${b.exe ?? 'sudo'} ${flags.join(' ')} -p ${shellQuote(prompt)} -u ${shellQuote(b.user)} /bin/sh -c`;
  return {
    command: `${head} ${shellQuote(script)}`,
    shown: `${head} ${hidden}`,
    marker,
    prompt: b.password !== undefined ? prompt : undefined,
    password: b.password,
    pty: false,
  };
}

/** A user-facing reason for an escalation that never printed the marker. */
export function becomeFailure(b: BecomeSpec, stderr: string, wrongPassword: boolean): string {
  const tool = b.method;
  if (wrongPassword) return `Incorrect ${tool} password`;
  if (/a (terminal|password) is required|password is required/i.test(stderr)) return `Missing ${tool} password`;
  if (/not in the sudoers|is not allowed to (run|execute)/i.test(stderr)) return `${tool}: user may not escalate: ${stderr.trim()}`;
  if (/not found/i.test(stderr)) return `${tool} is not installed on the host: ${stderr.trim()}`;
  return `privilege escalation (${tool} to ${b.user}) failed: ${stderr.trim() || 'no output'}`;
}

/**
 * log_path as Ansible writes it: Python logging's
 * "%(asctime)s p=%(process)d u=%(user)s n=%(name)s | %(message)s" with every displayed message,
 * uncoloured and without its leading newlines (Display.display's logger branch). The logger's
 * name is kept as "ansible" so that tools reading Ansible logs read this one too.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** asctime: local time, "2026-12-07 01:21:01,016". */
export function asctime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
}

function username(): string {
  try {
    return userInfo().username;
  } catch {
    // FilterUserInjector's fallback for containers without a passwd entry.
    return `uid=${process.getuid?.() ?? '?'}`;
  }
}

export class TextLog {
  private readonly fd: number;
  private readonly prefix: string;
  constructor(path: string, private readonly now: () => Date = () => new Date()) {
    mkdirSync(dirname(path), { recursive: true });
    // Appended and written synchronously, line by line, as Python's FileHandler does.
    this.fd = openSync(path, 'a', 0o600);
    this.prefix = ` p=${process.pid} u=${username()} n=ansible | `;
  }

  write(msg: string): void {
    writeSync(this.fd, `${asctime(this.now())}${this.prefix}${msg.replace(/^\n+/, '')}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

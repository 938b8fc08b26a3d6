/** Ansible's Display: banners padded with '*' to the terminal width, coloured lines, deduplicated warnings. */
import type { Writable } from 'node:stream';
import { COLOR, stringc, type ColorCode } from './colors.js';
import type { TextLog } from './text-log.js';
import { wrapText } from './wrap.js';

export interface DisplayOptions {
  stream: Writable & { isTTY?: boolean; columns?: number };
  errStream?: Writable;
  color: boolean;
  /** Terminal width; Ansible uses max(79, tty columns - 1), and 79 when not a TTY. */
  columns?: number;
  /** log_path: every displayed message is also written there, uncoloured, as Ansible's logger does. */
  log?: TextLog;
}

export class Display {
  readonly columns: number;
  private readonly warned = new Set<string>();
  constructor(private readonly opts: DisplayOptions) {
    const tty = opts.stream.isTTY && opts.stream.columns ? opts.stream.columns : 0;
    this.columns = opts.columns ?? Math.max(79, tty - 1);
  }

  display(msg: string, color?: ColorCode, stderr = false, screenOnly = false): void {
    const text = stringc(msg, color, this.opts.color);
    const out = stderr ? this.opts.errStream ?? process.stderr : this.opts.stream;
    out.write(msg.endsWith('\n') ? text : text + '\n');
    if (!screenOnly) this.opts.log?.write(msg);
  }

  /** Display.display(log_only=True): a message for the log file alone (the recap's uncoloured twin). */
  logOnly(msg: string): void {
    this.opts.log?.write(msg);
  }

  banner(msg: string, color?: ColorCode): void {
    const m = msg.trim();
    const stars = Math.max(3, this.columns - [...m].length);
    this.display(`\n${m} ${'*'.repeat(stars)}`, color);
  }

  warning(msg: string, everyTime = false): void {
    const text = wrapText(`[WARNING]: ${msg}`, this.columns).join('\n') + '\n';
    if (this.warned.has(text) && !everyTime) return;
    this.warned.add(text);
    this.display(text, COLOR.warn, true);
  }

  /** Display.error: textwrap turns the leading newline into a space, hence " [ERROR]: ". */
  error(msg: string): void {
    const text = wrapText(`\n[ERROR]: ${msg}`, this.columns).join('\n') + '\n';
    if (this.warned.has(text)) return;
    this.warned.add(text);
    this.display(text, COLOR.error, true);
  }

  /** display.error(msg, wrap_text=False): the message as it is, after "ERROR! " (display adds a newline only where it ends without one). */
  errorUnwrapped(msg: string): void {
    const text = msg.endsWith('\n') ? `ERROR! ${msg}` : `ERROR! ${msg}\n`;
    if (this.warned.has(text)) return;
    this.warned.add(text);
    this.display(text, COLOR.error, true);
  }

  deprecated(msg: string): void {
    const text = wrapText(`[DEPRECATION WARNING]: ${msg}`, this.columns, false).join('\n') + '\n';
    if (this.warned.has(text)) return;
    this.warned.add(text);
    this.display(text, COLOR.deprecate, true);
  }
}

/** Password prompts for -K / -k: only on a TTY, without echo, never logged. */
import { PhiloteError } from '../errors.js';

export async function promptSecret(label: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (!input.isTTY) throw new PhiloteError('option', `${label} was asked for (-K/-k) but standard input is not a terminal`);
  output.write(label);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolvePromise, reject) => {
    let value = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          done();
          output.write('\n');
          resolvePromise(value);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(new PhiloteError('option', 'interrupted at the password prompt'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const done = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
    };
    input.on('data', onData);
  });
}

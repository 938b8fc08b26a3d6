/**
 * vars_prompt: values asked at the start of a play. As in Ansible, a name given with -e
 * is not asked. Unattended runs (no TTY) take the entry's default, or stop with a clear error.
 */
import { createInterface } from 'node:readline';
import { PhiloteError } from '../errors.js';
import type { Play } from '../playbook/types.js';
import { boolean } from '../values/booleans.js';

async function ask(question: string, isPrivate: boolean): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  if (isPrivate) {
    // Hide typed characters: echo nothing but the prompt.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.startsWith(question)) process.stdout.write(question);
    };
  }
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  if (isPrivate) process.stdout.write('\n');
  return answer;
}

export async function promptedVars(play: Play, extraVars: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const entry of play.vars_prompt ?? []) {
    const name = String(entry['name'] ?? '');
    if (!name || name in extraVars) continue;
    const question = `${String(entry['prompt'] ?? name)}${entry['default'] !== undefined ? ` [${String(entry['default'])}]` : ''}: `;
    if (!process.stdin.isTTY) {
      if (entry['default'] !== undefined) {
        out[name] = entry['default'];
        continue;
      }
      throw new PhiloteError('option', `vars_prompt '${name}' needs an answer but stdin is not a terminal; pass it with -e ${name}=...`, { location: play.loc });
    }
    const isPrivate = boolean(entry['private'] ?? true, false);
    const answer = await ask(question, isPrivate);
    out[name] = answer === '' && entry['default'] !== undefined ? entry['default'] : answer;
  }
  return out;
}

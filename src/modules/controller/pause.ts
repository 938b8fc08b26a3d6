/**
 * pause: wait a while, or for the operator.
 *   - pause: {seconds: 30}
 *   - pause: {minutes: 1}
 *   - pause: {prompt: "Check the dashboard, then press enter"}   # needs a terminal
 */
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';

const num = z.union([z.number(), z.string()]).transform((v) => Number(v));
const schema = z
  .object({
    seconds: num.optional(),
    minutes: num.optional(),
    prompt: z.string().optional(),
    echo: z.union([z.boolean(), z.string()]).optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function stamp(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export const pauseModule: ModuleDefinition<Args> = {
  name: 'pause',
  aliases: ['ansible.builtin.pause', 'ansible.legacy.pause'],
  runsOn: 'controller',
  bypassHostLoop: true,
  schema,
  async run(ctx) {
    const { seconds, minutes, prompt } = ctx.args;
    if (seconds !== undefined && minutes !== undefined) return { failed: true, msg: 'parameters are mutually exclusive: minutes|seconds' };
    const waitS = seconds ?? (minutes !== undefined ? minutes * 60 : undefined);
    if (waitS !== undefined && !Number.isFinite(waitS)) return { failed: true, msg: 'unable to convert to int: seconds/minutes must be numbers' };
    const start = new Date();
    let userInput = '';
    if (waitS !== undefined) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, waitS * 1000);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        }, { once: true });
      });
    } else {
      if (!process.stdin.isTTY) {
        return { failed: true, msg: 'pause: waiting for input needs an interactive terminal; stdin is not a TTY. Use seconds: or minutes: instead of a prompt in unattended runs.' };
      }
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      userInput = await new Promise<string>((resolve) => rl.question(`[${ctx.hostname}]\n${prompt ?? 'Press enter to continue, Ctrl+C to interrupt'}:\n`, resolve));
      rl.close();
    }
    const stop = new Date();
    const delta = Math.round((stop.getTime() - start.getTime()) / 1000);
    return {
      changed: false,
      rc: 0,
      start: stamp(start),
      stop: stamp(stop),
      delta,
      stdout: waitS !== undefined ? `Paused for ${minutes !== undefined ? `${minutes} minutes` : `${seconds} seconds`}` : 'Paused',
      user_input: userInput,
      echo: true,
    };
  },
};

/**
 * assert: check conditions, fail with a message when one is false.
 *   - assert: {that: ["k3s_version is version('1.28', '>=')", "token | length > 0"], fail_msg: "bad k3s"}
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { boolean } from '../../values/booleans.js';

const cond = z.union([z.string(), z.boolean()]);
const schema = z
  .object({
    that: z.union([cond, z.array(cond)]),
    fail_msg: z.unknown().optional(),
    msg: z.unknown().optional(),
    success_msg: z.unknown().optional(),
    quiet: z.union([z.boolean(), z.string()]).optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

export const assertModule: ModuleDefinition<Args> = {
  name: 'assert',
  aliases: ['ansible.builtin.assert', 'ansible.legacy.assert'],
  runsOn: 'controller',
  schema,
  async run(ctx) {
    const { that, success_msg } = ctx.args;
    const failMsg = ctx.args.fail_msg ?? ctx.args.msg;
    const quiet = boolean(ctx.args.quiet ?? false, false);
    const conds = Array.isArray(that) ? that : [that];
    for (const c of conds) {
      const ok = ctx.templar.evaluateConditional(c, { vars: ctx.vars });
      if (!ok) {
        return { failed: true, changed: false, evaluated_to: false, assertion: c, msg: (failMsg ?? 'Assertion failed') as string };
      }
    }
    return { changed: false, msg: (success_msg ?? 'All assertions passed') as string, _ansible_verbose_always: !quiet };
  },
};

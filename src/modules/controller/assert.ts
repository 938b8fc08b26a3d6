/**
 * assert: check conditions, fail with a message when one is false.
 *   - assert: {that: ["k3s_version is version('1.28', '>=')", "token | length > 0"], fail_msg: "bad k3s"}
 */
import { isUnsafeContainer, isUnsafeText, unwrapUnsafe } from '../../template/unsafe.js';
import { conditionalText } from '../../executor/error-text.js';
import { ActionError } from '../../errors.js';
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
  untemplatedArgs: ['that'],
  schema,
  async run(ctx) {
    const { that, success_msg } = ctx.args;
    const failMsg = ctx.args.fail_msg ?? ctx.args.msg;
    const quiet = boolean(ctx.args.quiet ?? false, false);
    // `that` arrives as written: a string is templated once (it may name a list), list items are
    // conditionals that template themselves.
    // Data stays data: a conditional that came from a node (an unsafe string, or any item of an
    // unsafe list) is refused, as 2.14's Conditional does.
    const thats = typeof that === 'string' ? ctx.templar.renderKeepUnsafe(that, { vars: ctx.vars }) : that;
    const fromData = isUnsafeContainer(thats);
    const conds = Array.isArray(thats) ? thats : [thats];
    for (const c of conds) {
      const shown = unwrapUnsafe(c);
      // Raised inside the action: the result is only failed and msg (no changed).
      const refuse = (e: unknown) => new ActionError(conditionalText(shown, e));
      if (isUnsafeText(c) || (fromData && typeof c === 'string')) throw refuse(new Error('Conditional is marked as unsafe, and cannot be evaluated.'));
      // Conditional warns of templating delimiters in any conditional, assert's `that` too.
      if (typeof c === 'string' && ctx.templar.isTemplated(c)) {
        ctx.displayWarning?.(`conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: ${c}`);
      }
      let ok: boolean;
      try {
        ok = ctx.templar.evaluateConditional(c as string | boolean, { vars: ctx.vars });
      } catch (e) {
        throw refuse(e);
      }
      if (!ok) {
        return { failed: true, changed: false, evaluated_to: false, assertion: c, msg: (failMsg ?? 'Assertion failed') as string };
      }
    }
    return { changed: false, msg: (success_msg ?? 'All assertions passed') as string, _ansible_verbose_always: !quiet };
  },
};

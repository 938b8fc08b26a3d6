/**
 * debug: print a message or a variable's value.
 *   - debug: msg="hello {{ name }}"
 *   - debug: var=result.stdout_lines
 *   - debug: {var: hostvars[inventory_hostname], verbosity: 2}
 */
import { z } from 'zod';
import { UndefinedVariableError } from '../../errors.js';
import { isUnsafeText, unwrapUnsafe } from '../../template/unsafe.js';
import type { ModuleDefinition } from '../types.js';

const schema = z
  .object({
    msg: z.unknown().optional(),
    var: z.unknown().optional(),
    verbosity: z.coerce.number().int().min(0).optional(),
  })
  .strict();

type Args = z.infer<typeof schema>;

export const debugModule: ModuleDefinition<Args> = {
  name: 'debug',
  keepsFloats: true,
  aliases: ['ansible.builtin.debug', 'ansible.legacy.debug'],
  runsOn: 'controller',
  schema,
  // `var` must say whether it came from data (unsafe): such a name is shown, never evaluated.
  keepsUnsafeArgs: true,
  async run(ctx) {
    const { verbosity = 0 } = ctx.args;
    const msg = unwrapUnsafe(ctx.args.msg);
    const varName = unwrapUnsafe(ctx.args.var);
    if (msg !== undefined && varName !== undefined) return { failed: true, msg: "'msg' and 'var' are incompatible options" };
    if (verbosity > ctx.verbosity) {
      return { changed: false, skipped: true, skipped_reason: 'Verbosity threshold not met.', _ansible_verbose_always: true };
    }
    if (isUnsafeText(ctx.args.var)) {
      // ansible-core templates "{{" + name + "}}" with the name still unsafe: the text comes back as is.
      const text = ctx.args.var.text;
      return { changed: false, [text]: `{{${text}}}`, _ansible_verbose_always: true };
    }
    if (varName === undefined) {
      // Ansible's debug msg may be any value (a list prints as a list); ModuleResult types msg as string.
      return { changed: false, msg: (msg === undefined ? 'Hello world!' : msg) as string, _ansible_verbose_always: true };
    }
    // `var` names an expression; a value that is not a string was already templated.
    const name = typeof varName === 'string' ? varName : JSON.stringify(varName);
    let value: unknown;
    if (typeof varName !== 'string') value = varName;
    else {
      try {
        value = ctx.templar.isTemplated(varName) ? ctx.templar.render(varName, { vars: ctx.vars }) : ctx.templar.evaluate(varName, { vars: ctx.vars });
        if (value === undefined) value = 'VARIABLE IS NOT DEFINED!';
      } catch (e) {
        if (e instanceof UndefinedVariableError || (e as { kind?: string }).kind === 'undefined') value = 'VARIABLE IS NOT DEFINED!';
        else throw e;
      }
    }
    return { changed: false, [name]: value, _ansible_verbose_always: true };
  },
};

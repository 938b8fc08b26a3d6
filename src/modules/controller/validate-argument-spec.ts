/**
 * validate_argument_spec: checks variables and arguments against an argument spec, as the task
 * ansible-core prepends to a role with meta/argument_specs.yml does, or as a task of its own.
 *   - validate_argument_spec:
 *       argument_spec: {k3s_version: {type: str, required: true}}
 *       provided_arguments: {k3s_version: "{{ v }}"}
 * Each option named in the spec is taken from the task's variables (templated), then
 * `provided_arguments` win (the role's params). Values are checked as data: nothing in them is
 * templated a second time.
 */
import { z } from 'zod';
import { ActionError } from '../../errors.js';
import { isUnsafeText } from '../../template/unsafe.js';
import { isDict, typeName as pyTypeName, type Dict } from '../../template/runtime/values.js';
import type { Templar } from '../../template/types.js';
import type { ModuleDefinition } from '../types.js';
import { validateArgumentSpec, type DataPath } from '../argspec/validator.js';

const schema = z.record(z.string(), z.unknown());
type Args = z.infer<typeof schema>;

/**
 * Python's type() of a value in the messages. A string Ansible read from YAML and did not template
 * is an AnsibleUnicode (templating returns such a string as it is); one that came out of a template is
 * a str; one from a node is an AnsibleUnsafeText. `raw` is the value before templating.
 */
function typeNamer(templar: Templar, raw: unknown) {
  return (value: unknown, path: DataPath): string => {
    const base = pyTypeName(value);
    if (base !== 'str') return `<class '${base}'>`;
    let cur = raw;
    for (const step of path) {
      if (typeof cur === 'string' && templar.isTemplated(cur)) return "<class 'str'>";
      if (isUnsafeText(cur)) break;
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[step] : undefined;
    }
    if (isUnsafeText(cur)) return "<class 'ansible.utils.unsafe_proxy.AnsibleUnsafeText'>";
    if (typeof cur === 'string' && !templar.isTemplated(cur)) return "<class 'ansible.parsing.yaml.objects.AnsibleUnicode'>";
    return "<class 'str'>";
  };
}

export const validateArgumentSpecModule: ModuleDefinition<Args> = {
  name: 'validate_argument_spec',
  keepsFloats: true,
  aliases: ['ansible.builtin.validate_argument_spec', 'ansible.legacy.validate_argument_spec'],
  runsOn: 'controller',
  // Templated here, so the messages can tell a value as written from a templated one.
  untemplatedArgs: ['provided_arguments'],
  schema,
  async run(ctx) {
    const context = ctx.args['validate_args_context'] ?? {};
    const spec = ctx.args['argument_spec'];
    if (spec === undefined) throw new ActionError(`"argument_spec" arg is required in args: ${JSON.stringify(ctx.args)}`);
    if (!isDict(spec)) throw new ActionError(`Incorrect type for argument_spec, expected dict and got <class '${pyTypeName(spec)}'>`);
    const providedRaw = ctx.args['provided_arguments'] ?? {};
    const provided = ctx.templar.render(providedRaw, { vars: ctx.vars });
    if (!isDict(provided)) throw new ActionError(`Incorrect type for provided_arguments, expected dict and got <class '${pyTypeName(provided)}'>`);
    // get_args_from_task_vars: the spec's options that are variables, templated.
    const fromVarsRaw: Dict = {};
    for (const name of Object.keys(spec)) if (name in ctx.vars) fromVarsRaw[name] = ctx.vars[name];
    const fromVars = ctx.templar.render(fromVarsRaw, { vars: ctx.vars }) as Dict;
    const raw = { ...fromVarsRaw, ...(isDict(providedRaw) ? providedRaw : {}) };
    const { errors } = validateArgumentSpec(spec, { ...fromVars, ...provided }, typeNamer(ctx.templar, raw));
    if (errors.length) {
      return {
        failed: true,
        changed: false,
        msg: `Validation of arguments failed:\n${errors.join('\n')}`,
        argument_spec_data: spec,
        argument_errors: errors,
        validate_args_context: context,
      };
    }
    return { changed: false, msg: 'The arg spec validation passed', validate_args_context: context };
  },
};

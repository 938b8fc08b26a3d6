/**
 * A role's argument spec (meta/argument_specs.yml, or the `argument_specs` key of meta/main.yml)
 * becomes a first task of the role, as ansible-core's Role._prepend_validation_task builds it:
 * "Validating arguments against arg spec '<entry point>' - <short_description>", tagged `always`,
 * running validate_argument_spec with the entry point's `options` and the role's params.
 */
import { readYamlFile } from '../values/yaml.js';
import { roleFile } from './role-files.js';
import { isMapping } from './values.js';

/** meta/argument_specs.{yml,yaml,json} wins over meta/main's key; the two are not combined. */
export function readRoleArgSpecs(rolePath: string, meta: Record<string, unknown>): Record<string, unknown> {
  for (const ext of ['.yml', '.yaml', '.json']) {
    const file = roleFile(rolePath, 'meta', `argument_specs${ext}`);
    if (!file) continue;
    const data = readYamlFile(file);
    // A file that is no mapping gives no specs (ansible-core's AttributeError is caught).
    return isMapping(data) && isMapping(data['argument_specs']) ? data['argument_specs'] : {};
  }
  return isMapping(meta['argument_specs']) ? meta['argument_specs'] : {};
}

/** The file the spec came from, for the task's location. */
export function roleArgSpecFile(rolePath: string): string | undefined {
  return roleFile(rolePath, 'meta', 'argument_specs') ?? roleFile(rolePath, 'meta', 'main');
}

export interface ValidationTaskInput {
  roleName: string;
  rolePath: string;
  specs: Record<string, unknown>;
  /** tasks_from's base name, or 'main'. */
  entryPoint: string;
  /** The role's params as written (`- role: x` mapping entries); include/import_role have none. */
  params: Record<string, unknown>;
}

/** The task as ansible-core writes it, or undefined when the entry point has no spec. */
export function roleValidationTask(input: ValidationTaskInput): Record<string, unknown> | undefined {
  const spec = input.specs[input.entryPoint];
  if (!isMapping(spec) || Object.keys(spec).length === 0) return undefined;
  let name = `Validating arguments against arg spec '${input.entryPoint}'`;
  if ('short_description' in spec) name += ` - ${String(spec['short_description'])}`;
  return {
    action: {
      module: 'ansible.builtin.validate_argument_spec',
      argument_spec: 'options' in spec ? spec['options'] : {},
      provided_arguments: input.params,
      validate_args_context: { type: 'role', name: input.roleName, argument_spec_name: input.entryPoint, path: input.rolePath },
    },
    name,
    tags: ['always'],
  };
}

/** Reads the keywords every play, block, role entry and task shares into InheritableKeywords. */
import type { SourceLocation } from '../errors.js';
import type { InheritableKeywords } from './types.js';
import {
  asBoolish, asConditions, asEnvironment, asIntish, asModuleDefaults, asString, asStringList, asTags, asVars, fail,
} from './keywords.js';
import { keyLocationOf } from '../values/yaml.js';

/** Keywords handled here; callers handle the rest of their own keywords. */
export const INHERITABLE_KEYS = new Set([
  'when', 'tags', 'become', 'become_user', 'become_method', 'become_flags', 'become_exe', 'remote_user', 'connection',
  'environment', 'vars', 'check_mode', 'diff', 'ignore_errors', 'ignore_unreachable', 'no_log', 'any_errors_fatal',
  'delegate_to', 'delegate_facts', 'run_once', 'throttle', 'timeout', 'module_defaults', 'collections', 'port', 'debugger',
]);

/** Copies the inheritable keywords found in `ds` onto `target`, checking their types. */
/** `owner` is the class ansible-core names in a vars error (Play, Block, Task, RoleInclude...). */
export function readInheritable(ds: Record<string, unknown>, target: InheritableKeywords, fallback: SourceLocation, owner: string): void {
  for (const [key, value] of Object.entries(ds)) {
    if (!INHERITABLE_KEYS.has(key)) continue;
    const loc = keyLocationOf(ds, key) ?? fallback;
    // A keyword given as null means "not set", as in Ansible.
    if (value === null || value === undefined) continue;
    switch (key) {
      case 'when': target.when = asConditions(key, value, loc); break;
      case 'tags': target.tags = asTags(value, loc); break;
      case 'become': case 'check_mode': case 'diff': case 'ignore_errors': case 'ignore_unreachable': case 'no_log':
      case 'any_errors_fatal': case 'delegate_facts': case 'run_once':
        target[key] = asBoolish(key, value, loc);
        break;
      case 'become_user': case 'become_method': case 'become_flags': case 'become_exe': case 'remote_user': case 'connection':
      case 'delegate_to':
        target[key] = asString(key, value, loc);
        break;
      case 'throttle': case 'timeout': case 'port': target[key] = asIntish(key, value, loc); break;
      case 'environment': target.environment = asEnvironment(value, loc); break;
      case 'vars': target.vars = asVars(value, loc, owner); break;
      case 'module_defaults': target.module_defaults = asModuleDefaults(value, loc); break;
      case 'collections': target.collections = asStringList(key, value, loc); break;
      case 'debugger': break; // accepted and ignored: philote has no interactive debugger
      default: fail(`internal: unhandled keyword ${key}`, loc);
    }
  }
}

/**
 * ansible-core warns, when a play starts, about play-level variables named like a keyword of a
 * play, role, block or task, or like a Jinja global ("Found variable using reserved name: port"):
 * such a variable is easy to shadow or confuse. The names are 2.14's _RESERVED_NAMES plus the
 * Templar's globals, as task_queue_manager.run passes them.
 */
import type { Play } from '../playbook/types.js';
import { rolesOf } from '../vars/manager.js';

const RESERVED = new Set(
  (
    'action always any_errors_fatal args async async_val become become_exe become_flags become_method become_user block ' +
    'changed_when check_mode collections connection debugger delay delegate_facts delegate_to diff environment fact_path ' +
    'failed_when force_handlers gather_facts gather_subset gather_timeout handlers hosts ignore_errors ignore_unreachable ' +
    'local_action loop loop_control loop_with max_fail_percentage module_defaults name no_log notify order poll port ' +
    'post_tasks pre_tasks register remote_user rescue retries roles run_once serial strategy tags tasks throttle timeout ' +
    'until vars vars_files vars_prompt when with_ ' +
    'cycler dict joiner lipsum lookup namespace now q query range undef'
  ).split(' '),
);

/**
 * The reserved names among the play's own variables: play vars, its roles' defaults and vars, and
 * extra vars (get_vars(play=play) has no host). Sorted: Python's set order is not stable.
 */
export function reservedNamesInPlay(play: Play, extraVars: Record<string, unknown>): string[] {
  const names = new Set<string>([...Object.keys(play.vars ?? {}), ...Object.keys(extraVars)]);
  for (const role of rolesOf(play)) for (const k of [...Object.keys(role.defaults), ...Object.keys(role.vars)]) names.add(k);
  names.delete('vars');
  return [...names].filter((n) => RESERVED.has(n)).sort();
}

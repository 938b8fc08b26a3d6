/**
 * dnf (ansible.builtin.dnf): install, upgrade or remove RPM packages with the node's `dnf`
 * command; the arguments, their checks, returns and check mode are yumdnf.ts's (shared with yum).
 * On a node without dnf the task fails with Ansible's words for a missing command
 * ('Failed to find required executable "dnf" in paths: ...'): ansible-core's own module instead
 * says it could not import the dnf Python module, which philote does not use.
 */
import type { ModuleDefinition } from '../types.js';
import { checkYumDnfArgs, runYumDnf, yumdnfSchema, type YumDnfArgs } from './yumdnf.js';

export const dnfModule: ModuleDefinition<YumDnfArgs> = {
  name: 'dnf',
  aliases: ['ansible.builtin.dnf', 'ansible.legacy.dnf'],
  runsOn: 'node',
  schema: yumdnfSchema,
  async run(ctx) {
    if (ctx.args.use_backend !== undefined || ctx.args.use !== undefined) {
      return { failed: true, changed: false, msg: `Unsupported parameters for (dnf) module: ${ctx.args.use_backend !== undefined ? 'use_backend' : 'use'}` };
    }
    return checkYumDnfArgs(ctx.args) ?? runYumDnf(ctx, 'dnf');
  },
};

/**
 * group_by: put the host in a group named from its variables.
 *   - group_by: {key: "os_{{ ansible_facts.distribution }}", parents: [linux]}
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';

const schema = z
  .object({
    key: z.unknown(),
    parents: z.union([z.string(), z.array(z.string())]).optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

export const groupByModule: ModuleDefinition<Args> = {
  name: 'group_by',
  aliases: ['ansible.builtin.group_by', 'ansible.legacy.group_by'],
  runsOn: 'controller',
  schema,
  async run(ctx) {
    if (ctx.args.key === undefined || ctx.args.key === null) return { failed: true, msg: "the 'key' param is required when using group_by" };
    const group = String(ctx.args.key).replace(/ /g, '-');
    const p = ctx.args.parents ?? ['all'];
    const parents = (Array.isArray(p) ? p : [p]).map((x) => x.replace(/ /g, '-'));
    // `changed` is decided by the executor from what the inventory gained (add_dynamic_group).
    return { changed: false, add_group: group, parent_groups: parents };
  },
};

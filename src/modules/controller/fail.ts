/**
 * fail: stop the host with a message.
 *   - fail: msg="k3s is not installed on {{ inventory_hostname }}"
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';

const schema = z.object({ msg: z.unknown().optional() }).strict();
type Args = z.infer<typeof schema>;

export const failModule: ModuleDefinition<Args> = {
  name: 'fail',
  aliases: ['ansible.builtin.fail', 'ansible.legacy.fail'],
  runsOn: 'controller',
  schema,
  async run(ctx) {
    return { failed: true, changed: false, msg: (ctx.args.msg ?? 'Failed as requested from task') as string };
  },
};

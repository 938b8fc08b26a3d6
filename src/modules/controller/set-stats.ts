/**
 * set_stats: custom stats shown at the end of the run (and in the JSON output).
 *   - set_stats: {data: {migrated: 1}, per_host: false, aggregate: true}
 */
import { z } from 'zod';
import { boolean } from '../../values/booleans.js';
import type { ModuleDefinition } from '../types.js';

/** set_stats reads per_host/aggregate with boolean(strict=False). */
const bool = z.union([z.boolean(), z.string()]).transform((v) => boolean(v, false));
const schema = z
  .object({
    data: z.record(z.string(), z.unknown()),
    per_host: bool.optional(),
    aggregate: bool.optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

export const setStatsModule: ModuleDefinition<Args> = {
  name: 'set_stats',
  keepsFloats: true,
  aliases: ['ansible.builtin.set_stats', 'ansible.legacy.set_stats'],
  runsOn: 'controller',
  schema,
  async run(ctx) {
    const { data, per_host = false, aggregate = true } = ctx.args;
    return { changed: false, ansible_stats: { data, per_host, aggregate } };
  },
};

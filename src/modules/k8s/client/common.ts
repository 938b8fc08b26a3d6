/**
 * Argument fragments and helpers shared by the k8s modules.
 */
import { z } from 'zod';
import { parseBoolean } from '../../../values/booleans.js';
import type { ModuleContext } from '../../types.js';
import { authFields, type AuthArgs } from './auth.js';
import { getClient, type KubeClient } from './client.js';

export { authFields };

/** A bool as Ansible accepts it (yes/no/true/false/1/0, any case). */
export const bool = z.preprocess((v) => parseBoolean(v) ?? v, z.boolean());

export const int = z.coerce.number().int();

/** wait, wait_sleep (5), wait_timeout (120), wait_condition {type, status (true), reason}. */
export const waitFields = {
  wait: bool.optional(),
  wait_sleep: int.optional(),
  wait_timeout: int.optional(),
  wait_condition: z
    .object({
      type: z.string().optional(),
      status: z.union([z.boolean(), z.string()]).optional(),
      reason: z.string().optional(),
    })
    .nullish(),
};

/** One list of strings from a list or a single string (Ansible's type='list'). */
export const strList = z.union([z.array(z.coerce.string()), z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))]);

/** The run-wide client for a task's auth arguments and environment. */
export function clientFor(ctx: ModuleContext<AuthArgs>): KubeClient {
  return getClient(ctx.args, ctx.environment);
}

/**
 * set_fact: set host variables (above task vars) for the rest of the run.
 *   - set_fact: {k3s_ready: true, token: "{{ out.stdout }}"}
 *   - set_fact: {cluster_cidr: 10.42.0.0/16, cacheable: true}   # also a fact
 */
import { z } from 'zod';
import { UnsafeText } from '../../template/unsafe.js';
import { BooleanError, boolean, parseBoolean } from '../../values/booleans.js';
import { isIdentifier } from '../../values/identifier.js';
import type { ModuleDefinition } from '../types.js';

const schema = z.record(z.string(), z.unknown());
type Args = z.infer<typeof schema>;

const BOOLISH = new Set(['true', 'false', 'yes', 'no']);

export const setFactModule: ModuleDefinition<Args> = {
  name: 'set_fact',
  keepsFloats: true,
  aliases: ['ansible.builtin.set_fact', 'ansible.legacy.set_fact'],
  freeForm: true,
  runsOn: 'controller',
  keepsUnsafeArgs: true,
  schema,
  async run(ctx) {
    const facts: Record<string, unknown> = {};
    let cacheable = false;
    for (const [k, value] of Object.entries(ctx.args)) {
      // An unsafe string is still a string for the yes/no conversion below, as in Ansible.
      const raw = value instanceof UnsafeText ? value.text : value;
      if (k === 'cacheable') {
        // boolean(cacheable), strict: a value that is no boolean fails the task as in Ansible.
        const c = parseBoolean(raw);
        if (c === undefined) return { failed: true, msg: new BooleanError(raw).message };
        cacheable = c;
        continue;
      }
      if (k === '_raw_params') continue;
      if (!isIdentifier(k)) {
        return { failed: true, msg: `The variable name '${k}' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.` };
      }
      // As Ansible without jinja2_native: "yes"/"no"/"true"/"false" strings become booleans.
      facts[k] = typeof raw === 'string' && BOOLISH.has(raw.toLowerCase()) ? boolean(raw, false) : value;
    }
    if (Object.keys(facts).length === 0) {
      return { failed: true, msg: 'No key/value pairs provided, at least one is required for this action to succeed' };
    }
    return { changed: false, ansible_facts: facts, _ansible_facts_cacheable: cacheable };
  },
};

// A ModuleContext for calling the k8s modules directly, as the executor does: arguments go
// through the module's zod schema first, rendering with the real template engine.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { createTemplar } from '../../../src/template/index.js';
import { resolveModule } from '../../../src/modules/registry.js';
import type { AnyModuleDefinition, ModuleContext, ModuleResult } from '../../../src/modules/types.js';


export interface CallOptions {
  check?: boolean;
  diff?: boolean;
  vars?: Record<string, unknown>;
  environment?: Record<string, string>;
  /** Directory holding files/ and templates/ (the "playbook dir"). */
  dir?: string;
  warnings?: string[];
  signal?: AbortSignal;
}

/** Run a module by name (short or FQCN) with validated args; a schema error becomes a failed result. */
export async function call(name: string, args: Record<string, unknown>, o: CallOptions = {}): Promise<ModuleResult> {
  const def = resolveModule(name) as AnyModuleDefinition | undefined;
  if (!def) throw new Error(`no module ${name}`);
  const parsed = def.schema ? def.schema.safeParse(args) : { success: true as const, data: args };
  if (!parsed.success) return { failed: true, msg: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), invalid: true };
  const ctx: ModuleContext = {
    hostname: 'localhost',
    args: parsed.data as Record<string, unknown>,
    vars: o.vars ?? {},
    checkMode: o.check ?? false,
    diffMode: o.diff ?? false,
    verbosity: 0,
    connection: async () => {
      throw new Error('k8s modules never connect to the host');
    },
    templar: createTemplar(),
    findFile: (kind, file) => {
      if (isAbsolute(file)) return file;
      for (const p of o.dir ? [join(o.dir, kind, file), join(o.dir, file)] : []) if (existsSync(p)) return p;
      return undefined;
    },
    signal: o.signal ?? new AbortController().signal,
    warn: (m) => o.warnings?.push(m),
    ...(o.environment ? { environment: o.environment } : {}),
  };
  return def.run(ctx);
}

/**
 * Loads the template engine and the playbook loader, which other parts of philote
 * provide. The imports are dynamic so that the executor can be type-checked and unit
 * tested (with injected stand-ins) on its own.
 */
import type { PlaybookLoader } from '../playbook/types.js';
import type { Templar, TemplateContext } from '../template/types.js';

export type LookupForLoop = (name: string, terms: unknown, ctx: TemplateContext) => unknown[];

interface TemplateModule {
  createTemplar(): Templar;
  runLookupForLoop?: LookupForLoop;
}

interface PlaybookModule {
  createLoader(opts: { rolesPath: string[]; extraVars?: Record<string, unknown> }): PlaybookLoader;
}

async function importOptional<T>(specifier: string): Promise<T | undefined> {
  try {
    return (await import(specifier)) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(specifier.replace('../', ''))) return undefined;
    throw e;
  }
}

let templateModule: TemplateModule | undefined;

async function template(): Promise<TemplateModule> {
  if (templateModule) return templateModule;
  const m = await importOptional<TemplateModule>('../template/index.js');
  if (!m) throw new Error('the template engine (src/template/index.ts) is not available');
  templateModule = m;
  return m;
}

export async function loadTemplar(): Promise<Templar> {
  return (await template()).createTemplar();
}

export async function loadLookupForLoop(): Promise<LookupForLoop | undefined> {
  try {
    return (await template()).runLookupForLoop;
  } catch {
    return undefined;
  }
}

/** extraVars: -e values, which may name imported playbooks, task files and roles. */
export async function loadPlaybookLoader(rolesPath: string[], extraVars?: Record<string, unknown>): Promise<PlaybookLoader> {
  const m = await importOptional<PlaybookModule>('../playbook/index.js');
  if (!m) throw new Error('the playbook loader (src/playbook/index.ts) is not available');
  return m.createLoader({ rolesPath, extraVars });
}

/**
 * Loads the template engine and the playbook loader, which other parts of philote
 * provide. The imports are dynamic so that a run loads them only when it needs them
 * (and the executor's unit tests can inject stand-ins).
 */
import type { PlaybookLoader } from '../playbook/types.js';
import type { Templar, TemplateContext } from '../template/types.js';

export type LookupForLoop = (name: string, terms: unknown, ctx: TemplateContext) => unknown[];

interface TemplateModule {
  createTemplar(): Templar;
  runLookupForLoop?: LookupForLoop;
}

interface PlaybookModule {
  createLoader(opts: { rolesPath: string[]; extraVars?: Record<string, unknown>; collectionsPaths?: string[] }): PlaybookLoader;
}

let templateModule: TemplateModule | undefined;

async function template(): Promise<TemplateModule> {
  if (templateModule) return templateModule;
  // Literal specifiers, so the bundler (scripts/bundle.mjs) can follow them.
  templateModule = (await import('../template/index.js')) as TemplateModule;
  return templateModule;
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
export async function loadPlaybookLoader(rolesPath: string[], extraVars?: Record<string, unknown>, collectionsPaths?: string[]): Promise<PlaybookLoader> {
  const m = (await import('../playbook/index.js')) as PlaybookModule;
  return m.createLoader({ rolesPath, extraVars, ...(collectionsPaths ? { collectionsPaths } : {}) });
}

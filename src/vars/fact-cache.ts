/**
 * The fact cache (ansible.cfg `fact_caching`): where gathered facts and `set_fact cacheable`
 * facts outlive the run. `memory` (the default) keeps them for the run only, which the variable
 * manager does by itself; `jsonfile` keeps one file per host in `fact_caching_connection`, named
 * `<fact_caching_prefix><host>` and written as ansible-core's jsonfile plugin writes it
 * (json.dumps with sort_keys and indent 4), so a cache directory can be shared with
 * ansible-playbook. An entry older than `fact_caching_timeout` seconds is expired (0: never).
 * Written by a temp file and a rename: a killed run never leaves half a cache file.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PhiloteError } from '../errors.js';
import { pyJson } from '../output/pyjson.js';

export interface FactCacheSettings {
  plugin: string;
  connection?: string;
  prefix: string;
  timeoutSec: number;
}

export interface FactCache {
  get(host: string): Record<string, unknown> | undefined;
  set(host: string, facts: Record<string, unknown>): void;
  delete(host: string): void;
}

const MEMORY = new Set(['memory', 'ansible.builtin.memory', 'ansible.legacy.memory']);
const JSONFILE = new Set(['jsonfile', 'ansible.builtin.jsonfile', 'ansible.legacy.jsonfile']);

/** The persistent cache the settings ask for; undefined for `memory`, which keeps nothing past the run. */
export function openFactCache(s: FactCacheSettings, warn: (message: string) => void): FactCache | undefined {
  if (MEMORY.has(s.plugin)) return undefined;
  if (!JSONFILE.has(s.plugin)) {
    throw new PhiloteError('option', `Unable to load the facts cache plugin (${s.plugin}): philote has the memory and jsonfile fact caches`);
  }
  if (!s.connection) {
    throw new PhiloteError('option', "error, 'jsonfile' cache plugin requires the 'fact_caching_connection' config option to be set (to a writeable directory path)");
  }
  return new JsonFileCache(s.connection, s.prefix, s.timeoutSec, warn);
}

class JsonFileCache implements FactCache {
  constructor(
    private readonly dir: string,
    private readonly prefix: string,
    private readonly timeoutSec: number,
    private readonly warn: (message: string) => void,
  ) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new PhiloteError('option', `error in 'jsonfile' cache, configured path (${dir}) does not have necessary permissions (rwx), disabling plugin: ${(e as Error).message}`);
    }
  }

  private path(host: string): string {
    return join(this.dir, `${this.prefix}${host}`);
  }

  get(host: string): Record<string, unknown> | undefined {
    const p = this.path(host);
    let mtimeMs: number;
    try {
      mtimeMs = statSync(p).mtimeMs;
    } catch {
      return undefined;
    }
    if (this.timeoutSec > 0 && Date.now() - mtimeMs > this.timeoutSec * 1000) return undefined;
    try {
      const v: unknown = JSON.parse(readFileSync(p, 'utf8'));
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch (e) {
      this.warn(`error in 'jsonfile' cache plugin while trying to read ${p} : ${(e as Error).message}. Most likely a corrupt file, so it is ignored.`);
      return undefined;
    }
  }

  set(host: string, facts: Record<string, unknown>): void {
    const p = this.path(host);
    const tmp = `${p}.${process.pid}.tmp`;
    try {
      // Through JSON first: unsafe boxes write themselves as their text.
      writeFileSync(tmp, pyJson(JSON.parse(JSON.stringify(facts)), 4), { mode: 0o600 });
      renameSync(tmp, p);
    } catch (e) {
      rmSync(tmp, { force: true });
      this.warn(`error in 'jsonfile' cache plugin while trying to write to ${p} : ${(e as Error).message}`);
    }
  }

  delete(host: string): void {
    rmSync(this.path(host), { force: true });
  }
}

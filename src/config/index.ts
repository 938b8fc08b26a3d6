/**
 * Ansible configuration: ansible.cfg (found as Ansible finds it) overlaid with ANSIBLE_*
 * environment variables. Command-line flags are applied later by the CLI on top of this.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { PhiloteError } from '../errors.js';
import { parseCfg, type CfgSections } from './cfgparser.js';
import { expandUser, locateConfig } from './locate.js';
import { ACCEPTED_KEYS, SETTINGS, type SettingDef } from './settings.js';
import { boolean } from '../values/booleans.js';

export { locateConfig } from './locate.js';
export { parseCfg } from './cfgparser.js';

export interface AnsibleConfig {
  /** The ansible.cfg in use, if any. */
  configFile?: string;
  inventory: string[];
  forks: number;
  remoteUser?: string;
  privateKeyFile?: string;
  hostKeyChecking: boolean;
  rolesPath: string[];
  /** Where `ns.collection.role` names are looked up (collections_paths), after <playbook dir>/collections. */
  collectionsPaths: string[];
  /** Connection timeout in seconds. */
  timeout: number;
  become: boolean;
  becomeUser: string;
  becomeMethod: string;
  becomeAllowSameUser: boolean;
  becomeAskPass: boolean;
  askPass: boolean;
  gathering: 'implicit' | 'explicit' | 'smart';
  /** fact_caching (ANSIBLE_CACHE_PLUGIN): memory or jsonfile (src/vars/fact-cache.ts). */
  factCaching: string;
  factCachingConnection?: string;
  factCachingPrefix: string;
  factCachingTimeout: number;
  stdoutCallback: string;
  logPath?: string;
  callbackResultFormat: 'json' | 'yaml';
  displaySkippedHosts: boolean;
  displayOkHosts: boolean;
  transport: string;
  forceHandlers: boolean;
  noColor: boolean;
  forceColor: boolean;
  verbosity: number;
  vaultPasswordFile?: string;
  hostPatternMismatch: 'warning' | 'error' | 'ignore';
  /** INVENTORY_ENABLED: inventory plugins in the order they are tried (philote reads host_list vs advanced_host_list from it). */
  inventoryEnabled: string[];
  /** TRANSFORM_INVALID_GROUP_CHARS: group names that are not identifiers. */
  transformInvalidGroupChars: 'always' | 'never' | 'ignore' | 'silently';
  /** DUPLICATE_YAML_DICT_KEY: what the YAML loader does with a duplicate mapping key. */
  duplicateDictKey: 'warn' | 'error' | 'ignore';
  /** [ssh_connection] ssh_args: accepted; the ssh2 transport applies the options it understands. */
  sshArgs: string;
  sshCommonArgs?: string;
  sshExtraArgs?: string;
  /** Accepted for compatibility: philote always sends its script over one exec. */
  pipelining: boolean;
  /** [ssh_connection] retries */
  sshRetries: number;
  anyErrorsFatal: boolean;
  /** A notify naming no handler ends the run (true, 2.14's default) or only warns. */
  errorOnMissingHandler: boolean;
  /** deprecation_warnings: print deprecation warnings. */
  deprecationWarnings: boolean;
  localTmp: string;
  /** [defaults] callbacks_enabled: aggregate callbacks (profile_tasks, timer; others are warned about). */
  callbacksEnabled: string[];
  /** [diff] always: as if --diff were given. */
  diffAlways: boolean;
  diffContext: number;
  /** [philote] log_format: Ansible's text log (default) or JSON lines. */
  logFormat: 'text' | 'json';
  /** [philote] record / PHILOTE_RECORD: keep a run record for `philote runs` and `philote report`. */
  record: boolean;
  /** [philote] runs_dir / PHILOTE_RUNS_DIR: where run records go (default ~/.philote/runs). */
  runsDir?: string;
  /** [philote] progress / PHILOTE_PROGRESS: the live status line on a terminal. */
  progress: boolean;
  /** [philote] node_shell / PHILOTE_NODE_SHELL: run tasks through one persistent shell per host and become user (else one exec per task). */
  nodeShell: boolean;
  /** Messages about the configuration shown at -v (unknown keys) or always (bad files). */
  warnings: string[];
  /** Warnings that Ansible shows only with -v (unknown keys). */
  verboseWarnings: string[];
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export function loadConfig(opts: LoadConfigOptions = {}): AnsibleConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const located = locateConfig(env, cwd);
  let sections: CfgSections = new Map();
  if (located.file) {
    let text: string;
    try {
      text = readFileSync(located.file, 'utf8');
    } catch (e) {
      throw new PhiloteError('option', `Error reading config file (${located.file}): ${(e as Error).message}`, { cause: e });
    }
    sections = parseCfg(text, located.file);
  }
  const out: Record<string, unknown> = {
    configFile: located.file,
    warnings: [...located.warnings],
    verboseWarnings: unknownKeyWarnings(sections, located.file),
  };
  for (const s of SETTINGS) out[s.field] = resolveSetting(s, sections, env, located.file, cwd);
  return out as unknown as AnsibleConfig;
}

function resolveSetting(
  s: SettingDef,
  sections: CfgSections,
  env: Record<string, string | undefined>,
  file: string | undefined,
  cwd: string,
): unknown {
  // Environment variables: later names in the list take precedence (ANSIBLE_INVENTORY over ANSIBLE_HOSTS).
  for (const name of [...s.env].reverse()) {
    const v = env[name];
    if (v !== undefined && v !== '') return convert(s, v, `environment variable ${name}`, cwd, env);
  }
  // Ini: later entries in the definition take precedence, as Ansible's manager iterates and keeps the last.
  for (const [section, key] of [...s.ini].reverse()) {
    const entry = sections.get(section)?.get(key);
    if (entry) return convert(s, entry.value, `${file}:${entry.line}`, dirname(file!), env);
  }
  if (s.type === 'path' && typeof s.default === 'string') return expandUser(s.default, env);
  if (s.type === 'pathspec' && Array.isArray(s.default)) return s.default.map((p: string) => expandUser(p, env));
  return s.default;
}

function convert(s: SettingDef, raw: string, origin: string, baseDir: string, env: Record<string, string | undefined>): unknown {
  const bad = (what: string): never => {
    throw new PhiloteError('option', `Invalid type for configuration option ${s.field} (from ${origin}): ${what}`);
  };
  const path = (p: string) => {
    const e = expandUser(p.trim(), env);
    return isAbsolute(e) ? e : resolve(baseDir, e);
  };
  let value: unknown;
  switch (s.type) {
    case 'int': {
      if (!/^\s*[-+]?\d+\s*$/.test(raw)) bad(`'${raw}' is not an integer`);
      value = Number.parseInt(raw, 10);
      break;
    }
    case 'float':
      value = Number(raw);
      if (Number.isNaN(value)) bad(`'${raw}' is not a number`);
      break;
    case 'bool':
      // The config manager's boolean(value, strict=False).
      value = boolean(raw, false);
      break;
    case 'path':
      value = path(raw);
      break;
    case 'pathlist':
      // Ansible's DEFAULT_HOST_LIST: comma-separated; an entry that is not a path (host list) stays as written.
      value = raw.split(',').map((p) => p.trim()).filter((p) => p !== '').map(path);
      break;
    case 'pathspec':
      value = raw.split(':').map((p) => p.trim()).filter((p) => p !== '').map(path);
      break;
    case 'list':
      value = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
      break;
    default:
      value = raw.replace(/^(['"])(.*)\1$/, '$2');
  }
  if (s.choices && !s.choices.includes(String(value))) {
    bad(`'${raw}' is not one of ${s.choices.join(', ')}`);
  }
  return value;
}

function unknownKeyWarnings(sections: CfgSections, file: string | undefined): string[] {
  const known = new Map<string, Set<string>>();
  for (const s of SETTINGS) for (const [sec, key] of s.ini) (known.get(sec) ?? known.set(sec, new Set()).get(sec)!).add(key);
  const warnings: string[] = [];
  for (const [sec, entries] of sections) {
    const accepted = ACCEPTED_KEYS[sec];
    if (accepted && accepted.length === 0) continue; // whole section accepted (colors, galaxy...)
    for (const [key, entry] of entries) {
      if (known.get(sec)?.has(key) || accepted?.includes(key)) continue;
      // Plugin-specific sections ([callback_profile_tasks], [inventory_plugin_x]) are never warned about.
      if (!accepted && !known.has(sec)) continue;
      warnings.push(`${file}:${entry.line}: unknown configuration key '${key}' in section [${sec}], ignored`);
    }
  }
  return warnings;
}

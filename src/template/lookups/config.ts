/**
 * The `config` and `varnames` lookups.
 * config: ansible-core's settings by their constant names (DEFAULT_BECOME_USER...) as their 2.14
 * defaults, overridden by their ANSIBLE_* environment variable; with plugin_type/plugin_name, a
 * connection or shell plugin's option read from the task's variables. Only the settings below are
 * known; any other is "not found" (on_missing: error, warn or skip, as ansible-core).
 * varnames: the names of the task's variables that a regular expression matches at their start.
 */
import type { LookupFn } from './index.js';
import { LookupError } from '../runtime/env.js';
import { pyRegex } from '../filters/regex.js';
import { pyStr, typeName, Undefined } from '../runtime/values.js';

const COWS = ['bud-frogs', 'bunny', 'cheese', 'daemon', 'default', 'dragon', 'elephant-in-snake', 'elephant', 'eyes', 'hellokitty', 'kitty', 'luke-koala', 'meow', 'milk', 'moofasa', 'moose', 'ren', 'sheep', 'small', 'stegosaurus', 'stimpy', 'supermilker', 'three-eyes', 'turkey', 'turtle', 'tux', 'udder', 'vader-koala', 'vader', 'www'];

/** name: [default, environment variable, type]. */
const GLOBAL: Record<string, [unknown, string, 'str' | 'int' | 'bool' | 'list']> = {
  ANSIBLE_COW_ACCEPTLIST: [COWS, 'ANSIBLE_COW_ACCEPTLIST', 'list'],
  ANSIBLE_FORCE_COLOR: [false, 'ANSIBLE_FORCE_COLOR', 'bool'],
  ANSIBLE_NOCOLOR: [false, 'ANSIBLE_NOCOLOR', 'bool'],
  DEFAULT_BECOME: [false, 'ANSIBLE_BECOME', 'bool'],
  DEFAULT_BECOME_METHOD: ['sudo', 'ANSIBLE_BECOME_METHOD', 'str'],
  DEFAULT_BECOME_USER: ['root', 'ANSIBLE_BECOME_USER', 'str'],
  DEFAULT_FORKS: [5, 'ANSIBLE_FORKS', 'int'],
  DEFAULT_GATHERING: ['implicit', 'ANSIBLE_GATHERING', 'str'],
  DEFAULT_HASH_BEHAVIOUR: ['replace', 'ANSIBLE_HASH_BEHAVIOUR', 'str'],
  DEFAULT_KEEP_REMOTE_FILES: [false, 'ANSIBLE_KEEP_REMOTE_FILES', 'bool'],
  DEFAULT_MANAGED_STR: ['Ansible managed', 'ANSIBLE_MANAGED_STR', 'str'],
  DEFAULT_POLL_INTERVAL: [15, 'ANSIBLE_POLL_INTERVAL', 'int'],
  DEFAULT_REMOTE_USER: [null, 'ANSIBLE_REMOTE_USER', 'str'],
  DEFAULT_STRATEGY: ['linear', 'ANSIBLE_STRATEGY', 'str'],
  DEFAULT_TIMEOUT: [10, 'ANSIBLE_TIMEOUT', 'int'],
  DEFAULT_TRANSPORT: ['smart', 'ANSIBLE_TRANSPORT', 'str'],
  HOST_KEY_CHECKING: [true, 'ANSIBLE_HOST_KEY_CHECKING', 'bool'],
  INJECT_FACTS_AS_VARS: [true, 'ANSIBLE_INJECT_FACT_VARS', 'bool'],
  RETRY_FILES_ENABLED: [false, 'ANSIBLE_RETRY_FILES_ENABLED', 'bool'],
};

/** plugin_type/plugin_name options read from variables: [variables, highest priority last; default]. */
const PLUGIN_OPTIONS: Record<string, Record<string, [string[], unknown]>> = {
  'connection/ssh': {
    remote_user: [['ansible_user', 'ansible_ssh_user'], null],
    port: [['ansible_port', 'ansible_ssh_port'], null],
    host: [['inventory_hostname', 'ansible_host', 'ansible_ssh_host'], null],
    password: [['ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password'], null],
  },
  'shell/sh': { remote_tmp: [['ansible_remote_tmp'], '~/.ansible/tmp'] },
};

function fromEnv(text: string, type: string): unknown {
  if (type === 'int') return Number(text);
  if (type === 'bool') return ['1', 'true', 'yes', 'on', 'y', 't'].includes(text.toLowerCase());
  if (type === 'list') return text.split(',').map((s) => s.trim()).filter(Boolean);
  return text;
}

class MissingSetting extends Error {}

export const CONFIG_LOOKUPS: Record<string, LookupFn> = {
  config: (s, terms, k) => {
    const missing = k['on_missing'] ?? 'error';
    const ptype = k['plugin_type'];
    const pname = k['plugin_name'];
    if ((ptype || pname) && !(ptype && pname)) throw new LookupError('Both plugin_type and plugin_name are required, cannot use one without the other', 'options');
    if (typeof missing !== 'string' || !['error', 'warn', 'skip'].includes(missing)) {
      // Option validation words it first (set_options checks the documented choices).
      throw new LookupError(`Invalid value "${pyStr(missing)}" for configuration option "plugin_type: lookup plugin: config setting: on_missing ", valid values are: error, skip, warn`, 'options');
    }
    const out: unknown[] = [];
    for (const term of terms) {
      if (typeof term !== 'string') throw new LookupError(`Invalid setting identifier, "${pyStr(term)}" is not a string, its a <class '${typeName(term)}'>`, 'options');
      try {
        if (pname) {
          const plugin = PLUGIN_OPTIONS[`${pyStr(ptype)}/${pyStr(pname)}`];
          if (!plugin) throw new LookupError(`Unable to load ${pyStr(ptype)} plugin "${pyStr(pname)}"`, 'lookup');
          const opt = plugin[term];
          if (!opt) throw new MissingSetting(`Requested entry (plugin_type: ${pyStr(ptype)} plugin: ${pyStr(pname)} setting: ${term} ) was not defined in configuration.`);
          let value = opt[1];
          for (const name of opt[0]) {
            const v = s.lookupVar(name);
            if (!(v instanceof Undefined)) value = v;
          }
          out.push(term === 'port' && value !== null ? Number(value) : value);
        } else {
          const def = GLOBAL[term];
          if (!def) {
            if (/^[A-Z][A-Za-z]+$/.test(term) && /[a-z]/.test(term)) throw new LookupError(`Invalid setting "${term}" attempted`, 'lookup');
            throw new MissingSetting(`module 'ansible.constants' has no attribute '${term}'`);
          }
          const env = process.env[def[1]];
          out.push(env !== undefined ? fromEnv(env, def[2]) : def[0]);
        }
      } catch (e) {
        if (!(e instanceof MissingSetting)) throw e;
        if (missing === 'error') throw new LookupError(`Unable to find setting ${term}. ${e.message}. ${e.message}`, 'lookup');
        // 'warn' prints "Skipping, did not find setting ..." in Ansible; the lookup has no output channel here.
      }
    }
    return out;
  },
  varnames: (s, terms) => {
    const names = Object.keys(s.ctx.vars);
    const out: string[] = [];
    for (const term of terms) {
      // Plain AnsibleErrors in 2.14: worded as an unhandled exception, and errors=ignore applies.
      if (typeof term !== 'string') throw new Error(`Invalid setting identifier, "${pyStr(term)}" is not a string, it is a <class '${typeName(term)}'>`);
      let re: RegExp;
      try {
        re = pyRegex(term, '', false);
      } catch (e) {
        throw new Error(`Unable to use "${term}" as a search parameter: ${pythonRegexError(e as Error)}`);
      }
      // re.search: a pattern is not anchored unless it says so.
      for (const n of names) if (re.test(n)) out.push(n);
    }
    return out;
  },
};

/** JS's "Invalid regular expression: /x/u: Nothing to repeat" in Python's lower-case words. */
function pythonRegexError(e: Error): string {
  const detail = e.message.split(': ').pop() ?? e.message;
  const lower = detail.charAt(0).toLowerCase() + detail.slice(1);
  return lower === 'nothing to repeat' ? 'nothing to repeat at position 0' : lower;
}

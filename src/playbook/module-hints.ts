/**
 * Messages for a task key that names no module philote knows. A real Ansible module that
 * philote has not implemented gets a message saying so, rather than a "misspelling" hint.
 */
import { editDistance } from '../errors.js';
import { EXECUTOR_ACTIONS, allModules } from '../modules/registry.js';

/** ansible.builtin modules and actions of ansible-core 2.14. */
const ANSIBLE_BUILTIN = new Set([
  'add_host', 'apt', 'apt_key', 'apt_repository', 'assemble', 'assert', 'async_status', 'blockinfile', 'command', 'copy',
  'cron', 'debconf', 'debug', 'dnf', 'dpkg_selections', 'expect', 'fail', 'fetch', 'file', 'find', 'gather_facts',
  'get_url', 'getent', 'git', 'group', 'group_by', 'hostname', 'import_playbook', 'import_role', 'import_tasks', 'include',
  'include_role', 'include_tasks', 'include_vars', 'iptables', 'known_hosts', 'lineinfile', 'meta', 'package',
  'package_facts', 'pause', 'ping', 'pip', 'raw', 'reboot', 'replace', 'rpm_key', 'script', 'service', 'service_facts',
  'set_fact', 'set_stats', 'setup', 'shell', 'slurp', 'stat', 'subversion', 'systemd', 'systemd_service', 'sysvinit',
  'tempfile', 'template', 'unarchive', 'uri', 'user', 'validate_argument_spec', 'wait_for', 'wait_for_connection', 'yum',
  'yum_repository',
]);

/** The closest candidate within a distance that grows with the word (1 for short words). */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 4));
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  return best !== undefined && bestScore <= limit ? best : undefined;
}

/**
 * A module philote has no implementation of, but that exists for Ansible: an ansible.builtin
 * module, or a collection's module (namespace.collection.name) not close to one philote has.
 * Such a task loads, lists and syntax-checks as with an installed collection, and fails only
 * when it runs ("philote does not implement module X yet").
 */
export function isUnimplementedModule(key: string): boolean {
  const parts = key.split('.');
  const short = parts[parts.length - 1]!;
  const namespace = parts.length === 3 ? `${parts[0]}.${parts[1]}` : '';
  if ((namespace === '' || namespace === 'ansible.builtin' || namespace === 'ansible.legacy') && ANSIBLE_BUILTIN.has(short)) return true;
  if (parts.length < 3 || namespace === 'ansible.builtin' || namespace === 'ansible.legacy') return false;
  if (!parts.every((p) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) return false;
  const modules = new Set<string>([...allModules().keys(), ...EXECUTOR_ACTIONS]);
  // A name one typo away from a module philote has is a typo, not another module.
  return closest(key, [...modules].filter((m) => m.startsWith(namespace + '.'))) === undefined;
}

export interface UnknownActionMessage {
  message: string;
  hint?: string;
}

/** What to tell the user about `key`, a task key that is neither a keyword nor a known module. */
export function unknownAction(key: string, keywords: readonly string[]): UnknownActionMessage {
  const parts = key.split('.');
  const short = parts[parts.length - 1]!;
  const namespace = parts.length === 3 ? `${parts[0]}.${parts[1]}` : '';
  if ((namespace === '' || namespace === 'ansible.builtin' || namespace === 'ansible.legacy') && ANSIBLE_BUILTIN.has(short)) {
    return { message: `the module '${key}' exists in Ansible but is not implemented by philote yet` };
  }
  const modules = new Set<string>([...allModules().keys(), ...EXECUTOR_ACTIONS]);
  const generic = `couldn't resolve module/action '${key}'. This often indicates a misspelling, missing collection, or incorrect module path.`;
  if (namespace && namespace !== 'ansible.builtin' && namespace !== 'ansible.legacy') {
    const sameNs = [...modules].filter((m) => m.startsWith(namespace + '.'));
    const hit = closest(key, sameNs);
    if (hit) return { message: generic, hint: `did you mean '${hit}'?` };
    return { message: `the module '${key}' is not implemented by philote (no module of that name in its registry)` };
  }
  // Keywords and modules in one pool so that the closest wins: 'debugg' → debug, 'registr' → register.
  const shortModules = [...modules].filter((m) => !m.includes('.'));
  const hit = closest(short, [...shortModules, ...keywords]);
  if (!hit) return { message: generic };
  return { message: generic, hint: `did you mean '${namespace ? `${namespace}.${hit}` : hit}'?` };
}

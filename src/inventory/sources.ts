/**
 * Turns one inventory source into hosts and groups, picking the parser as Ansible's
 * default plugin list does (host_list, script, yaml, ini): a comma list of hosts, an
 * executable script, a YAML/JSON file, an INI file, or a directory of sources.
 */
import { accessSync, constants, existsSync, openSync, readFileSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { PhiloteError } from '../errors.js';
import { parseAddress, rangeIntLiteral } from './address.js';
import type { InventoryData } from './data.js';
import { expandHostPattern, parseIni } from './ini.js';
import { parseScriptInventory } from './script.js';
import { parseYamlInventory } from './yaml.js';
import { loadYaml } from '../values/yaml.js';

/** INVENTORY_IGNORE_EXTS (REJECT_EXTS + .orig .ini .cfg .retry) and IGNORED_ALWAYS, for directory sources. */
const IGNORED = /^\.|^host_vars$|^group_vars$|^vars_plugins$|(\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;
const YAML_EXTS = ['.yaml', '.yml', '.json'];

/** Returns whether the source yielded an inventory. */
export function parseSource(inv: InventoryData, source: string): boolean {
  if (existsSync(source) && statSync(source).isDirectory()) {
    let parsed = false;
    for (const entry of readdirSync(source).sort()) {
      if (IGNORED.test(entry)) continue;
      parsed = parseSource(inv, join(source, entry)) || parsed;
    }
    return parsed;
  }
  if (!existsSync(source)) {
    if (source.includes(',')) return parseHostList(inv, source);
    return false;
  }
  inv.currentSource = source;
  try {
    parseFile(inv, source);
  } finally {
    inv.currentSource = undefined;
  }
  return true;
}

function parseHostList(inv: InventoryData, list: string): boolean {
  for (const raw of list.split(',')) {
    const h = raw.trim();
    if (!h) continue;
    if (inv.advancedHostList) {
      // advanced_host_list: ranges expand (`node[01:03]`). A range Python cannot read as numbers
      // fails the whole source, the hosts before it kept, as ansible-core's plugin does.
      const bad = rangeIntLiteral(h);
      if (bad !== undefined) {
        inv.warn(` * Failed to parse ${list} with advanced_host_list plugin: Invalid data from string, could not parse: invalid literal for int() with base 10: '${bad}'`);
        return false;
      }
      // Any other bad range leaves the name unchanged.
      let expanded: { hosts: string[]; port?: number };
      try {
        expanded = expandHostPattern(h, (m) => {
          throw new PhiloteError('parse', m);
        });
      } catch {
        expanded = { hosts: [h] };
      }
      for (const host of expanded.hosts) if (!inv.hosts.has(host)) inv.addHostTo(host, 'ungrouped', expanded.port);
      continue;
    }
    // host_list reads addresses without ranges (parse_address(allow_ranges=False)): a name with
    // one is kept as written, port and all.
    const found = parseAddress(h);
    const addr = found?.host.includes('[') ? undefined : found;
    inv.addHostTo(addr?.host ?? h, 'ungrouped', addr?.port);
  }
  return true;
}

function isScript(path: string): boolean {
  let executable = true;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    executable = false;
  }
  return executable || hasShebang(path);
}

function hasShebang(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    readSync(fd, buf, 0, 2, 0);
    return buf.toString() === '#!';
  } finally {
    closeSync(fd);
  }
}

function parseFile(inv: InventoryData, path: string): void {
  const ext = extname(path);
  const attempts: Array<() => void> = [];
  if (isScript(path)) attempts.push(() => parseScriptInventory(inv, path));
  const text = () => readFileSync(path, 'utf8');
  if (YAML_EXTS.includes(ext) || ext === '') attempts.push(() => parseYamlInventory(inv, loadYaml(text(), path), path));
  attempts.push(() => parseIni(inv, text(), path));
  // The first parser that accepts the file wins; if none does, report the error of the
  // parser that fits the file best: the script for a '#!' file, YAML for .yml/.yaml/.json, else INI.
  const errors: unknown[] = [];
  for (const attempt of attempts) {
    try {
      attempt();
      return;
    } catch (e) {
      errors.push(e);
      if (hasShebang(path)) break;
    }
  }
  const chosen = hasShebang(path) ? errors[0] : YAML_EXTS.includes(ext) ? errors[errors.length - 2] ?? errors[0] : errors[errors.length - 1];
  if (chosen instanceof PhiloteError) throw chosen;
  throw new PhiloteError('parse', `Unable to parse ${path} as an inventory source: ${(chosen as Error).message}`);
}

/**
 * `philote inventory --list | --graph [group] | --host H`, with `--yaml`, `--vars` (graph) and
 * `--export` (each host's and group's own variables), printing what ansible-inventory prints.
 */
import { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { PhiloteError } from '../errors.js';
import { inventoryGraph, inventoryHost, inventoryList, loadInventory } from '../inventory/index.js';
import { inventoryYaml, pythonJson } from '../inventory/dump.js';
import { pyYamlDump } from '../template/filters/serialize.js';
import type { CliIO } from './io.js';

interface InventoryFlags {
  inventory?: string[];
  list?: boolean;
  graph?: boolean;
  host?: string;
  limit?: string;
  yaml?: boolean;
  vars?: boolean;
  export?: boolean;
}

export function inventoryCommand(io: CliIO, setExit: (code: number) => void): Command {
  return new Command('inventory')
    .description('show the inventory (like ansible-inventory)')
    .argument('[group]', 'group to graph (with --graph)')
    .option('-i, --inventory <path>', 'inventory source (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('-l, --limit <pattern>', 'further limit selected hosts')
    .option('--list', 'output all hosts info')
    .option('--graph', 'create inventory graph')
    .option('--host <host>', 'output specific host info')
    .option('-y, --yaml', 'use YAML format instead of default JSON, ignored for --graph')
    .option('--vars', 'add vars to graph display, ignored unless used with --graph')
    .option('--export', "with --list, only each host's and group's own variables (group vars under their group), for export")
    .action(async (group: string | undefined, flags: InventoryFlags) => {
      const modes = [flags.list, flags.graph, flags.host !== undefined].filter(Boolean).length;
      if (modes !== 1) throw new PhiloteError('option', 'No action selected, at least one of --host, --graph or --list needs to be specified.');
      const config = loadConfig({ env: io.env, cwd: io.cwd });
      const sources = flags.inventory?.length ? flags.inventory : config.inventory;
      const inv = await loadInventory(sources, { cwd: io.cwd, onWarning: (m) => io.stderr.write(`[WARNING]: ${m}\n`), groupNameChars: config.transformInvalidGroupChars, enabledPlugins: config.inventoryEnabled });
      const exportMode = flags.export ?? false;
      // yaml.dump(default_flow_style=False) as ansible-inventory writes it; JSON sorted with indent 4.
      const dump = (v: Record<string, unknown>) => (flags.yaml ? pyYamlDump(v) : pythonJson(v) + '\n');
      if (flags.list) io.stdout.write(dump(flags.yaml ? inventoryYaml(inv, 'all', exportMode) : inventoryList(inv, 'all', exportMode)));
      else if (flags.graph) {
        const g = group ?? 'all';
        if (!inv.groups.has(g)) throw new PhiloteError('option', `Pattern must be valid group name when using --graph`);
        io.stdout.write(inventoryGraph(inv, g, { vars: flags.vars, exportMode }) + '\n');
      } else {
        const vars = inventoryHost(inv, flags.host!, exportMode);
        if (!vars) throw new PhiloteError('option', `You must pass a single valid host to --host parameter`);
        io.stdout.write(dump(vars));
      }
      setExit(0);
    });
}

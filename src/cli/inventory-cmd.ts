/** `philote inventory --list | --graph [group] | --host H`, printing what ansible-inventory prints. */
import { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { PhiloteError } from '../errors.js';
import { inventoryGraph, inventoryHost, inventoryList, loadInventory } from '../inventory/index.js';
import { pythonJson } from '../inventory/dump.js';
import type { CliIO } from './io.js';

export function inventoryCommand(io: CliIO, setExit: (code: number) => void): Command {
  return new Command('inventory')
    .description('show the inventory (like ansible-inventory)')
    .argument('[group]', 'group to graph (with --graph)')
    .option('-i, --inventory <path>', 'inventory source (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('-l, --limit <pattern>', 'further limit selected hosts')
    .option('--list', 'output all hosts info')
    .option('--graph', 'create inventory graph')
    .option('--host <host>', 'output specific host info')
    .action(async (group: string | undefined, flags: { inventory?: string[]; list?: boolean; graph?: boolean; host?: string; limit?: string }) => {
      const modes = [flags.list, flags.graph, flags.host !== undefined].filter(Boolean).length;
      if (modes !== 1) throw new PhiloteError('option', 'No action selected, at least one of --host, --graph or --list needs to be specified.');
      const config = loadConfig({ env: io.env, cwd: io.cwd });
      const sources = flags.inventory?.length ? flags.inventory : config.inventory;
      const inv = await loadInventory(sources, { cwd: io.cwd, onWarning: (m) => io.stderr.write(`[WARNING]: ${m}\n`) });
      if (flags.list) io.stdout.write(pythonJson(inventoryList(inv)) + '\n');
      else if (flags.graph) {
        const g = group ?? 'all';
        if (!inv.groups.has(g)) throw new PhiloteError('option', `Pattern must be valid group name when using --graph`);
        io.stdout.write(inventoryGraph(inv, g) + '\n');
      } else {
        const vars = inventoryHost(inv, flags.host!);
        if (!vars) throw new PhiloteError('option', `You must pass a single valid host to --host parameter`);
        io.stdout.write(pythonJson(vars) + '\n');
      }
      setExit(0);
    });
}

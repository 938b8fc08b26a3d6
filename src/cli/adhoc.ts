/**
 * `philote adhoc PATTERN -m MODULE -a ARGS` (and `philote PATTERN -m ...`), like `ansible`:
 * one in-memory play with one task, run by the executor, printed by the minimal callback.
 */
import { Command } from 'commander';
import { PhiloteError } from '../errors.js';
import type { Play, Task } from '../playbook/types.js';
import type { CliIO } from './io.js';
import { parseKeyValues } from '../values/kv.js';
import { loadYaml } from '../values/yaml.js';
import { addCommonOptions, prepare, type CommonFlags } from './options.js';

interface AdhocFlags extends CommonFlags {
  moduleName: string;
  args?: string;
  listHosts?: boolean;
  oneLine?: boolean;
  playbookDir?: string;
}

const RAW_MODULES = new Set(['command', 'shell', 'raw', 'script', 'win_command', 'win_shell'].flatMap((m) => [m, `ansible.builtin.${m}`, `ansible.legacy.${m}`]));

export function adhocCommand(io: CliIO, setExit: (code: number) => void): Command {
  const cmd = new Command('adhoc')
    .description('run one module on hosts matching a pattern (like ansible)')
    .argument('<pattern>', 'host pattern')
    .option('-m, --module-name <module>', 'module to run', 'command')
    .option('-a, --args <args>', 'module arguments: k=v, free-form text, or JSON')
    .option('--list-hosts', 'outputs a list of matching hosts; does not execute anything else');
  addCommonOptions(cmd);
  cmd.action(async (pattern: string, flags: AdhocFlags) => {
    setExit(await runAdhoc(pattern, flags, io));
  });
  return cmd;
}

export function adhocTask(module: string, argText: string | undefined): Task {
  const loc = { file: '<adhoc>', line: 1, column: 1 };
  const text = argText ?? '';
  let args: Record<string, unknown>;
  if (text.trim().startsWith('{') && text.trim().endsWith('}')) args = loadYaml(text, '<adhoc args>') as Record<string, unknown>;
  else args = parseKeyValues(text, RAW_MODULES.has(module), loc);
  if (RAW_MODULES.has(module) && !args._raw_params) {
    throw new PhiloteError('option', `No argument passed to ${module.replace(/^ansible\.(builtin|legacy)\./, '')} module`);
  }
  return { kind: 'task', loc, action: module.replace(/^ansible\.(builtin|legacy)\./, ''), actionAsWritten: module, args, name: module };
}

export function adhocPlay(pattern: string, task: Task, cwd: string): Play {
  return {
    kind: 'play',
    loc: task.loc,
    name: 'Ansible Ad-Hoc',
    hosts: pattern,
    gather_facts: false,
    vars_files: [],
    pre_tasks: [],
    roles: [],
    tasks: [task],
    post_tasks: [],
    handlers: [],
    baseDir: cwd,
  };
}

export async function runAdhoc(pattern: string, flags: AdhocFlags, io: CliIO): Promise<number> {
  const task = adhocTask(flags.moduleName, flags.args);
  const prep = await prepare(flags, io, 'minimal');
  const hosts = prep.inventory.selectHosts(pattern, prep.runOptions.limit);
  if (flags.listHosts) {
    io.stdout.write(`  hosts (${hosts.length}):\n${hosts.map((h) => `    ${h.name}\n`).join('')}`);
    return 0;
  }
  if (hosts.length === 0) {
    prep.output.emit({ type: 'warning', message: 'No hosts matched, nothing to do' });
    return 0;
  }
  const { runPlays } = await import('../executor/index.js');
  try {
    const summary = await runPlays([adhocPlay(pattern, task, io.cwd)], { ...prep.runOptions, playbooks: [], inventory: prep.inventory, output: prep.output });
    return summary.exitCode;
  } finally {
    await prep.output.close();
  }
}

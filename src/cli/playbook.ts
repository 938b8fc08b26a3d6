/** `philote playbook [options] playbook.yml...`: ansible-playbook's flags and behaviour. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { PhiloteError } from '../errors.js';
import { tee } from '../output/index.js';
import { startRecord } from '../record/start.js';
import type { CliIO } from './io.js';
import { addCommonOptions, checkLimit, prepare, type CommonFlags } from './options.js';
import { exitCodeFor } from './errors.js';
import { philoteVersion } from './version.js';
import { parseSlice, sliceLimit } from './slice.js';

interface PlaybookFlags extends CommonFlags {
  tags?: string[];
  skipTags?: string[];
  listHosts?: boolean;
  listTasks?: boolean;
  listTags?: boolean;
  syntaxCheck?: boolean;
  startAtTask?: string;
  step?: boolean;
  flushCache?: boolean;
  forceHandlers?: boolean;
  /** --no-record */
  record?: boolean;
  /** --slice K/N (AWX job slicing, src/cli/slice.ts) */
  slice?: string;
}

const collectCsv = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

/** Listing functions H3 provides in src/playbook/listing.ts; looked up at run time. */

export function playbookCommand(io: CliIO, setExit: (code: number) => void): Command {
  const cmd = new Command('playbook')
    .description('run Ansible playbooks (like ansible-playbook)')
    .argument('<playbook...>', 'playbook files')
    .option('-t, --tags <tags>', 'only run plays and tasks tagged with these values', collectCsv)
    .option('--skip-tags <tags>', 'only run plays and tasks whose tags do not match these values', collectCsv)
    .option('--list-hosts', 'outputs a list of matching hosts; does not execute anything else')
    .option('--list-tasks', 'list all tasks that would be executed')
    .option('--list-tags', 'list all available tags')
    .option('--syntax-check', 'perform a syntax check on the playbook, but do not execute it')
    .option('--start-at-task <name>', 'start the playbook at the task matching this name')
    .option('--step', 'one-step-at-a-time: confirm each task before running (not supported)')
    .option('--flush-cache', 'clear the fact cache for every host in inventory')
    .option('--force-handlers', 'run handlers even if a task fails')
    .option('--no-record', "don't keep a record of this run for philote runs / philote report")
    .option('--slice <K/N>', 'run slice K of N of the selected hosts (inventory order, host i goes to slice i mod N + 1), as AWX job slicing');
  addCommonOptions(cmd);
  cmd.action(async (playbooks: string[], flags: PlaybookFlags) => {
    setExit(await runPlaybookCommand(playbooks, flags, io));
  });
  return cmd;
}

export async function runPlaybookCommand(playbooks: string[], flags: PlaybookFlags, io: CliIO): Promise<number> {
  if (flags.step) {
    throw new PhiloteError('option', '--step is not supported by philote: it runs every task without asking; use --start-at-task or tags to run part of a playbook');
  }
  const slice = flags.slice !== undefined ? parseSlice(flags.slice) : undefined;
  const files = playbooks.map((p) => resolve(io.cwd, p));
  files.forEach((f, i) => {
    if (!existsSync(f)) throw new PhiloteError('not-found', `the playbook: ${playbooks[i]} could not be found`);
    if (!statSync(f).isFile()) throw new PhiloteError('not-found', `the playbook: ${playbooks[i]} does not appear to be a file`);
  });
  const prep = await prepare(flags, io);
  const { inventory, output, runOptions, config } = prep;
  const listing = flags.syntaxCheck || flags.listHosts || flags.listTasks || flags.listTags;
  if (!listing) checkLimit(inventory, runOptions.limit);
  // After checkLimit: an empty slice (more slices than hosts) is a run with no host, not an error.
  if (slice) runOptions.limit = sliceLimit(inventory, runOptions.limit, slice);
  if (listing) {
    const { runListing, syntaxCheck } = await import('../playbook/listing.js');
    const args = {
      playbooks: files,
      // Printed as typed, as ansible-playbook prints them.
      playbookNames: playbooks,
      cwd: io.cwd,
      inventory,
      limit: runOptions.limit,
      tags: flags.tags,
      skipTags: flags.skipTags,
      extraVars: runOptions.extraVars,
      rolesPath: config.rolesPath,
      collectionsPaths: config.collectionsPaths,
      listHosts: flags.listHosts ?? false,
      listTasks: flags.listTasks ?? false,
      listTags: flags.listTags ?? false,
      syntaxCheck: flags.syntaxCheck ?? false,
    };
    const text = flags.syntaxCheck ? await syntaxCheck(args) : await runListing(args);
    io.stdout.write(text.endsWith('\n') ? text : text + '\n');
    return 0;
  }
  const { runPlaybook } = await import('../executor/index.js');
  const recorder =
    flags.record !== false && config.record
      ? startRecord({ config, env: io.env, cwd: io.cwd, playbooks, check: runOptions.check, diff: runOptions.diff, limit: flags.limit, tags: flags.tags, version: philoteVersion(), output })
      : undefined;
  let exitCode = 1;
  try {
    const summary = await runPlaybook({
      ...runOptions,
      playbooks: files,
      inventory,
      output: recorder ? tee([output, recorder]) : output,
      tags: flags.tags,
      skipTags: flags.skipTags,
      startAtTask: flags.startAtTask,
      flushCache: flags.flushCache,
      forceHandlers: flags.forceHandlers ?? runOptions.forceHandlers,
    });
    // Display.error's wording (the leading space is textwrap's rendering of its newline).
    if (summary.exitCode === 99) io.stderr.write(' [ERROR]: User interrupted execution\n');
    exitCode = summary.exitCode;
    return summary.exitCode;
  } catch (e) {
    recorder?.emit({ type: 'error', message: (e as Error).message });
    exitCode = exitCodeFor(e);
    throw e;
  } finally {
    await output.close();
    recorder?.finish(exitCode);
    await recorder?.close();
  }
}

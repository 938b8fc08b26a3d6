/**
 * philote's command line: `playbook`, `adhoc` (or `philote PATTERN -m ...`), `inventory`, `lab`,
 * `job` (a sliced run as a Kubernetes Indexed Job), `runs` and `report` (the run records), `completion`.
 * Exit codes follow ansible-playbook: 0 ok, 1 error, 2 host failed (and usage errors),
 * 4 unreachable or parse error, 5 option error, 99 interrupted.
 */
import { Command, CommanderError } from 'commander';
import { adhocCommand } from './adhoc.js';
import { completionCommand } from './completion.js';
import { exitCodeFor, formatError } from './errors.js';
import { inventoryCommand } from './inventory-cmd.js';
import { jobCommand } from './job.js';
import { defaultIO, type CliIO } from './io.js';
import { labCommand } from './lab.js';
import { expandVerbose } from './options.js';
import { playbookCommand } from './playbook.js';
import { reportCommand, runsCommand } from './runs.js';
import { versionText } from './version.js';

const SUBCOMMANDS = new Set(['playbook', 'adhoc', 'inventory', 'lab', 'job', 'runs', 'report', 'completion', 'help']);

/** Runs the CLI and returns the exit code (argv as process.argv: node, script, args...). */
export async function run(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  let code = 0;
  const setExit = (c: number) => (code = c);
  let args = expandVerbose(argv.slice(2));
  // --version acts where it stands, as argparse's version action does; a lone -v asks for it too.
  const dashdash = args.indexOf('--');
  if (args.slice(0, dashdash < 0 ? undefined : dashdash).includes('--version') || (args.length === 1 && args[0] === '-v')) {
    io.stdout.write(versionText(io));
    return 0;
  }
  // Leading -v flags belong to the command that follows (`philote -vvv playbook x.yml`).
  const leadingV = args.findIndex((a) => a !== '-v');
  const verbose = leadingV > 0 ? args.slice(0, leadingV) : [];
  args = args.slice(verbose.length);
  // `philote PATTERN -m ping` behaves like `ansible PATTERN -m ping`.
  if (args.length > 0 && !SUBCOMMANDS.has(args[0]!) && !args[0]!.startsWith('-')) args = ['adhoc', ...args];
  if (verbose.length > 0 && args.length > 0) args = [args[0]!, ...verbose, ...args.slice(1)];
  const program = new Command('philote')
    .description('Run Ansible playbooks with an SSH fleet runner')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showSuggestionAfterError(true);
  for (const c of [playbookCommand(io, setExit), adhocCommand(io, setExit), inventoryCommand(io, setExit), labCommand(io, setExit), jobCommand(io, setExit), runsCommand(io, setExit), reportCommand(io, setExit), completionCommand(io, setExit, () => program)]) {
    c.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
    for (const sub of c.commands) sub.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
    program.addCommand(c);
  }
  try {
    await program.parseAsync(['node', 'philote', ...args]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has already printed the usage error; help and version exit 0.
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    }
    const text = formatError(e);
    io.stderr.write(text.endsWith('\n') ? text : text + '\n');
    return exitCodeFor(e);
  }
}

export async function main(argv: string[] = process.argv): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    // First Ctrl-C: stop dispatching, let running tasks end and print the recap. Second: leave now.
    if (interrupts > 1) process.exit(99);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const code = await run(argv, { ...defaultIO(), signal: controller.signal });
  process.off('SIGINT', onSigint);
  process.exitCode = controller.signal.aborted && code === 0 ? 99 : code;
  // The recap is printed and every connection was asked to close (each within 1 s). Whatever is
  // still pending now (a socket to a partitioned host, a dial into a silent one) must not hold the
  // process the way it held ansible-playbook's user: exit once output had time to drain. Unref'd,
  // so a clean run exits at once without waiting for it.
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}

/** How long the process may linger after the command finished before it leaves anyway. */
const EXIT_GRACE_MS = 3000;

/**
 * Options shared by `philote playbook` and `philote adhoc`, with ansible-playbook's names,
 * and how flags, ansible.cfg and ANSIBLE_* combine (flags win).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { resolve } from 'node:path';
import { loadConfig, type AnsibleConfig } from '../config/index.js';
import { PhiloteError } from '../errors.js';
import { setYamlDuplicateKeys, setYamlWarningHandler } from '../values/yaml.js';
import { loadInventory, type InventoryData } from '../inventory/index.js';
import { expandLimit, splitHostPattern } from '../inventory/patterns.js';
import { colorWanted, createOutput, stdoutCallbackKind, type OutputKind } from '../output/index.js';
import type { OutputSink } from '../output/events.js';
import { Progress, progressWanted } from '../output/progress.js';
import { traceConnections } from '../connection/trace.js';
import { setNodeShell } from '../connection/node-shell-setting.js';
import type { RunOptions } from '../executor/types.js';
import type { CliIO } from './io.js';
import { parseExtraVars } from './kv.js';
import { promptSecret } from './prompt.js';
import { setupVault } from '../vault/index.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const int = (name: string) => (v: string) => {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(`argument ${name}: invalid int value: '${v}'`);
  return Number.parseInt(v, 10);
};

export interface CommonFlags {
  inventory?: string[];
  limit?: string;
  extraVars?: string[];
  forks?: number;
  check?: boolean;
  diff?: boolean;
  verbose: number;
  user?: string;
  privateKey?: string;
  become?: boolean;
  becomeUser?: string;
  becomeMethod?: string;
  askBecomePass?: boolean;
  askPass?: boolean;
  sshCommonArgs?: string;
  sshExtraArgs?: string;
  timeout?: number;
  connection?: string;
  vaultPasswordFile?: string[];
  vaultId?: string[];
  askVaultPass?: boolean;
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('-i, --inventory <path>', 'inventory file, directory or comma-separated host list (repeatable)', collect)
    .option('-l, --limit <pattern>', 'further limit selected hosts to a pattern (or @file)')
    .option('-e, --extra-vars <vars>', 'extra variables: key=value, YAML/JSON, or @file (repeatable)', collect)
    .option('-f, --forks <n>', 'number of parallel hosts', int('-f/--forks'))
    .option('-C, --check', "don't make any changes; predict what would change")
    .option('-D, --diff', 'show the differences in files and templates')
    .option('-v, --verbose', 'more output (-vvvv for the most)', (_v: string, prev: number) => prev + 1, 0)
    .option('-u, --user <user>', 'connect as this user (remote_user)')
    .option('--private-key <file>', 'SSH private key file')
    .option('-b, --become', 'run operations with become (does not imply password prompting)')
    .option('--become-user <user>', 'run operations as this user')
    .option('--become-method <method>', 'privilege escalation method (sudo, su)')
    .option('-K, --ask-become-pass', 'ask for the privilege escalation password')
    .option('-k, --ask-pass', 'ask for the connection password')
    .option('--ssh-common-args <args>', 'extra arguments for ssh (ProxyJump etc.)')
    .option('--ssh-extra-args <args>', 'extra arguments for ssh only')
    .option('-T, --timeout <seconds>', 'connection timeout', int('-T/--timeout'))
    .addOption(new Option('-c, --connection <type>', 'connection type').choices(['ssh', 'local', 'smart', 'paramiko']))
    .option('--vault-id <id>', 'the vault identity to use: [ID@]FILE or [ID@]prompt (repeatable)', collect)
    .option('--vault-password-file <file>', 'vault password file or script (repeatable)', collect)
    .option('-J, --ask-vault-pass', 'ask for the vault password');
}

/** Expand `-vvv`, which commander sees as -v -v -v only when written apart. */
export function expandVerbose(argv: string[]): string[] {
  return argv.flatMap((a) => (/^-v{2,}$/.test(a) ? Array.from({ length: a.length - 1 }, () => '-v') : [a]));
}

export interface Prepared {
  config: AnsibleConfig;
  inventory: InventoryData;
  output: OutputSink;
  verbosity: number;
  runOptions: Omit<RunOptions, 'playbooks' | 'output' | 'inventory'>;
}

export async function prepare(flags: CommonFlags, io: CliIO, outputKind?: OutputKind): Promise<Prepared> {
  const config = loadConfig({ env: io.env, cwd: io.cwd });
  setNodeShell(config.nodeShell);
  const verbosity = Math.max(flags.verbose ?? 0, config.verbosity);
  // `ansible` (ad hoc, outputKind given) loads neither stdout_callback nor callbacks_enabled.
  const kind = outputKind ?? stdoutCallbackKind(config.stdoutCallback);
  const color = !config.noColor && (config.forceColor || colorWanted(io.stdout, io.env));
  const diff = flags.diff ?? config.diffAlways;
  const sink = createOutput(kind, {
    stream: io.stdout,
    errStream: io.stderr,
    color,
    verbosity,
    diff,
    diffContext: config.diffContext,
    logPath: config.logPath,
    logFormat: config.logFormat,
    displaySkippedHosts: config.displaySkippedHosts,
    displayOkHosts: config.displayOkHosts,
    deprecationWarnings: config.deprecationWarnings,
    callbacksEnabled: outputKind ? [] : config.callbacksEnabled,
    env: io.env,
  });
  // The live status line: terminals only (never in pipes, files or JSON output).
  const stderr = io.stderr as typeof io.stderr & { isTTY?: boolean; columns?: number };
  let output: OutputSink = progressWanted(io.stdout, stderr, kind, config.progress) ? new Progress(sink, stderr) : sink;
  // -vvvv: the connection trace, for this run only (closing the output ends it).
  if (verbosity >= 4) {
    const traced = output;
    const stop = traceConnections((address, message) => traced.emit({ type: 'verbose', level: 4, host: address, message }));
    output = { emit: (e) => traced.emit(e), close: () => (stop(), traced.close()) };
  }
  // display.v(): through the output so that log_path has it too, as in Ansible.
  if (verbosity > 0 && kind !== 'json') {
    output.emit({ type: 'verbose', level: 1, message: config.configFile ? `Using ${config.configFile} as config file` : 'No config file found; using defaults' });
  }
  for (const w of config.warnings) output.emit({ type: 'warning', message: w });
  setYamlWarningHandler((message) => output.emit({ type: 'warning', message }));
  setYamlDuplicateKeys(config.duplicateDictKey);
  if (verbosity > 0) for (const w of config.verboseWarnings) output.emit({ type: 'warning', message: w });
  // Vault secrets before anything is loaded: inventories, playbooks and vars files may be encrypted.
  const passwordFiles = [...(flags.vaultPasswordFile ?? [])];
  if (config.vaultPasswordFile && !passwordFiles.includes(config.vaultPasswordFile)) passwordFiles.push(config.vaultPasswordFile);
  await setupVault({ passwordFiles, vaultIds: flags.vaultId ?? [], askVaultPass: flags.askVaultPass === true, cwd: io.cwd, prompt: (label) => promptSecret(label) });
  const sources = flags.inventory && flags.inventory.length > 0 ? flags.inventory : config.inventory;
  const inventory = await loadInventory(sources, { cwd: io.cwd, onWarning: (m) => output.emit({ type: 'warning', message: m }), groupNameChars: config.transformInvalidGroupChars, enabledPlugins: config.inventoryEnabled });
  inventory.hostPatternMismatch = config.hostPatternMismatch;
  const extraVars = parseExtraVars(flags.extraVars ?? [], io.cwd);
  let becomePassword: string | undefined;
  let connectionPassword: string | undefined;
  if (flags.askPass || config.askPass) connectionPassword = await promptSecret('SSH password: ');
  if (flags.askBecomePass || config.becomeAskPass) {
    becomePassword = await promptSecret(`${(flags.becomeMethod ?? config.becomeMethod).toUpperCase()} password${connectionPassword !== undefined ? '[defaults to SSH password]' : ''}: `);
    if (becomePassword === '' && connectionPassword !== undefined) becomePassword = connectionPassword;
  }
  const connection = flags.connection ?? (config.transport === 'local' ? 'local' : undefined);
  const forks = flags.forks ?? config.forks;
  if (forks < 1) {
    // ansible-playbook calls parser.error here: a usage error, exit 2.
    io.stderr.write('error: The number of processes (--forks) must be >= 1\n');
    throw new CommanderError(2, 'philote.forks', 'The number of processes (--forks) must be >= 1');
  }
  const runOptions: Prepared['runOptions'] = {
    // @file entries are read here, relative to the working directory, as ansible-core does.
    limit: flags.limit ? expandLimit(splitHostPattern(flags.limit), io.cwd) : undefined,
    extraVars,
    forks,
    check: flags.check ?? false,
    diff,
    verbosity,
    forceHandlers: config.forceHandlers,
    anyErrorsFatal: config.anyErrorsFatal,
    errorOnMissingHandler: config.errorOnMissingHandler,
    remoteUser: flags.user ?? config.remoteUser,
    privateKeyFile: flags.privateKey ? resolve(io.cwd, flags.privateKey) : config.privateKeyFile,
    connection: connection === 'local' ? 'local' : connection ? 'ssh' : undefined,
    timeoutSec: flags.timeout ?? config.timeout,
    sshCommonArgs: flags.sshCommonArgs ?? config.sshCommonArgs,
    sshExtraArgs: flags.sshExtraArgs ?? config.sshExtraArgs,
    hostKeyChecking: config.hostKeyChecking,
    connectionPassword,
    become: flags.become ?? config.become,
    becomeUser: flags.becomeUser ?? config.becomeUser,
    becomeMethod: flags.becomeMethod ?? config.becomeMethod,
    becomePassword,
    becomeAllowSameUser: config.becomeAllowSameUser,
    rolesPath: config.rolesPath,
    collectionsPaths: config.collectionsPaths,
    gathering: config.gathering,
    factCache: { plugin: config.factCaching, prefix: config.factCachingPrefix, timeoutSec: config.factCachingTimeout, ...(config.factCachingConnection ? { connection: config.factCachingConnection } : {}) },
    signal: io.signal,
  };
  return { config, inventory, output, verbosity, runOptions };
}

/** ansible-playbook refuses to start when --limit leaves no host at all. */
export function checkLimit(inv: InventoryData, limit: string[] | undefined): void {
  if (!limit || limit.length === 0) return;
  const all = inv.selectHosts('all', limit);
  const direct = inv.selectHosts(limit);
  if (all.length === 0 && direct.length === 0) {
    throw new PhiloteError('runtime', 'Specified inventory, host pattern and/or --limit leaves us with no hosts to target.');
  }
}

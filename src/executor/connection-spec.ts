/**
 * Turns a host's variables into the ConnectionSpec and BecomeSpec the connection
 * layer needs, with Ansible's variable names and the CLI/config defaults underneath.
 */
import type { BecomeSpec, ConnectionSpec } from '../connection/types.js';
import type { RunOptions } from './types.js';
import { userInfo } from 'node:os';
import { boolean } from '../values/booleans.js';

function str(v: unknown): string | undefined {
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** The play's or task's connection keywords, rendered: below the ansible_* variables, above the CLI and config. */
export interface ConnectionKeywords {
  connection?: string;
  remote_user?: string;
  port?: number;
}

/**
 * `vars` are the (rendered) variables of the connection target: the host itself, or the
 * delegated host when delegate_to is set. As in ansible-core, a connection variable
 * (ansible_user, ansible_port, ansible_connection) beats the keyword (remote_user, port,
 * connection), which beats -u/-c and ansible.cfg.
 */
export function buildConnectionSpec(host: string, vars: Record<string, unknown>, options: RunOptions, kw: ConnectionKeywords = {}): ConnectionSpec {
  const connectionKeyword = kw.connection;
  const declared = str(vars['ansible_connection']) ?? connectionKeyword ?? options.connection ?? 'ssh';
  const connection: 'ssh' | 'local' = declared === 'local' ? 'local' : 'ssh';
  const sshArgs = [
    str(vars['ansible_ssh_common_args']) ?? options.sshCommonArgs,
    str(vars['ansible_ssh_extra_args']) ?? options.sshExtraArgs,
  ]
    .filter((s): s is string => !!s)
    .join(' ');
  const hkc = vars['ansible_host_key_checking'] ?? vars['host_key_checking'];
  const spec: ConnectionSpec = {
    host,
    connection,
    address: str(vars['ansible_host']) ?? str(vars['ansible_ssh_host']) ?? host,
    hostKeyChecking: hkc === undefined ? options.hostKeyChecking : boolean(hkc, false),
    timeoutSec: num(vars['ansible_ssh_timeout']) ?? num(vars['ansible_timeout']) ?? options.timeoutSec,
  };
  const port = num(vars['ansible_port'] ?? vars['ansible_ssh_port']) ?? kw.port;
  if (port !== undefined) spec.port = port;
  const user = str(vars['ansible_user']) ?? str(vars['ansible_ssh_user']) ?? str(kw.remote_user) ?? options.remoteUser;
  if (user) spec.user = user;
  const key = str(vars['ansible_ssh_private_key_file']) ?? str(vars['ansible_private_key_file']) ?? options.privateKeyFile;
  if (key) spec.privateKeyFile = key;
  const pw = str(vars['ansible_password']) ?? str(vars['ansible_ssh_pass']) ?? str(vars['ansible_ssh_password']) ?? options.connectionPassword;
  if (pw) spec.password = pw;
  if (sshArgs) spec.sshArgs = sshArgs;
  const retries = num(vars['ansible_ssh_retries']);
  if (retries !== undefined) spec.retries = retries;
  return spec;
}

export interface BecomeKeywords {
  become?: unknown;
  become_user?: unknown;
  become_method?: unknown;
  become_flags?: unknown;
  become_exe?: unknown;
}

/**
 * BecomeSpec when become is on (ansible_become var, keyword, or -b), else undefined. As
 * PlayContext.set_task_and_variable_override and the become plugin's options order them, a
 * variable (ansible_become, ansible_become_user, _method, _flags, _exe) beats the keyword at any
 * level: a role's `become_user: root` does not stop a task's `vars: {ansible_become_user: x}`.
 */
export function buildBecomeSpec(kw: BecomeKeywords, vars: Record<string, unknown>, options: RunOptions): BecomeSpec | undefined {
  const on = vars['ansible_become'] !== undefined ? boolean(vars['ansible_become'], false) : kw.become !== undefined ? boolean(kw.become, false) : options.become;
  if (!on) return undefined;
  const method = str(vars['ansible_become_method']) ?? str(kw.become_method) ?? options.becomeMethod ?? 'sudo';
  const spec: BecomeSpec = {
    method: method === 'su' ? 'su' : 'sudo',
    user: str(vars['ansible_become_user']) ?? str(kw.become_user) ?? options.becomeUser ?? 'root',
  };
  const pw = str(vars['ansible_become_password']) ?? str(vars['ansible_become_pass']) ?? options.becomePassword;
  if (pw) spec.password = pw;
  const flags = str(vars['ansible_become_flags']) ?? str(kw.become_flags);
  if (flags) spec.flags = flags;
  const exe = str(vars['ansible_become_exe']) ?? str(kw.become_exe);
  if (exe) spec.exe = exe;
  return spec;
}

/**
 * ansible-core escalates only when the become user differs from the remote user (as the action
 * plugin knows it: ansible_user, remote_user, -u or the config for ssh, even if unset; the user
 * running philote for the local connection), unless become_allow_same_user is on. Logging in as
 * root with `become: true` so runs without sudo, which a node may not have.
 */
export function becomeApplies(become: BecomeSpec, conn: ConnectionSpec, options: RunOptions): boolean {
  if (options.becomeAllowSameUser) return true;
  const remoteUser = conn.connection === 'local' ? currentUser() : conn.user;
  return remoteUser !== become.user;
}

/** The user running philote, looked up once (a passwd lookup per task otherwise). */
let me: { name: string | undefined } | undefined;
function currentUser(): string | undefined {
  if (!me) {
    try {
      me = { name: userInfo().username };
    } catch {
      me = { name: undefined };
    }
  }
  return me.name;
}

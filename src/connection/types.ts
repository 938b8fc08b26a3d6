/**
 * The one small interface every transport offers (ARCHITECTURE.md: exec with stdin, put, get, close).
 * Implementations: `local.ts` (child processes on the controller) and `ssh/` (ssh2, one
 * persistent connection per host, channels per task).
 */
import type { Readable } from 'node:stream';

/** Privilege escalation for one exec. The password is never put on a command line or logged. */
export interface BecomeSpec {
  method: 'sudo' | 'su';
  /** Target user, default root. */
  user: string;
  password?: string;
  /** Extra flags, e.g. "-H -S -n" for sudo (Ansible's become_flags). */
  flags?: string;
  /** Path of the become binary, default 'sudo' / 'su'. */
  exe?: string;
}

export interface ExecOptions {
  /** Data for the command's standard input: the node script's payload, or a file stream. */
  stdin?: string | Buffer | Readable;
  become?: BecomeSpec;
  /** Kill the remote command after this many ms (task `timeout`); rc is then -1 and timedOut true. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Environment for the command (task `environment`). Exported by the wrapper, not passed via SSH env requests. */
  env?: Record<string, string>;
}

export interface ExecResult {
  rc: number;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
  /** The signal that ended the command (SIGKILL...), when it did not exit by itself. */
  signal?: string;
}

export interface PutOptions {
  /** Octal file mode such as 0o644, applied after writing. */
  mode?: number;
  become?: BecomeSpec;
}

export interface Connection {
  readonly kind: 'ssh' | 'local';
  /** The inventory hostname this connection serves (for messages). */
  readonly host: string;
  /** Run `command` with `sh -c` semantics on the target. Throws UnreachableError if the host cannot be reached. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Write a local file (path) or in-memory data (Buffer) to `remotePath`, streamed, not buffered whole. */
  put(source: string | Buffer, remotePath: string, options?: PutOptions): Promise<void>;
  /** Copy `remotePath` to the local path `localPath`, streamed. */
  get(remotePath: string, localPath: string, options?: { become?: BecomeSpec }): Promise<void>;
  /** Drop the transport; the next exec reconnects (used after reboot and by meta: reset_connection). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Everything the connection layer needs about one target, taken from host vars
 * (ansible_host, ansible_port, ansible_user, ...), ansible.cfg and CLI flags.
 */
export interface ConnectionSpec {
  /** Inventory hostname. */
  host: string;
  /** 'ssh' | 'local' (ansible_connection; 'paramiko'/'smart' map to ssh). */
  connection: 'ssh' | 'local';
  /** Address to dial (ansible_host, default the inventory hostname). */
  address: string;
  port?: number;
  user?: string;
  privateKeyFile?: string;
  password?: string;
  /** ansible_ssh_common_args + ansible_ssh_extra_args + --ssh-*-args, unparsed; the ssh layer parses -o/-i/-p/-J. */
  sshArgs?: string;
  /** Seconds (ansible_ssh_timeout / timeout in ansible.cfg / -T). */
  timeoutSec?: number;
  retries?: number;
  /** host_key_checking (default true). */
  hostKeyChecking?: boolean;
  knownHostsFile?: string;
}

/** Opens connections on first use and keeps one per target for the whole run. */
export interface ConnectionPool {
  get(spec: ConnectionSpec): Promise<Connection>;
  /** Forget a host's connection (unreachable or reset). */
  drop(host: string): Promise<void>;
  closeAll(): Promise<void>;
}

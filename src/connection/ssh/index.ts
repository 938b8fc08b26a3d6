/** Entry point of the ssh transport (ssh2, one persistent connection per host). */
import type { Connection, ConnectionSpec } from '../types.js';
import { SshConnection } from './connection.js';
import { resolveTarget } from './target.js';

export { SshConnection } from './connection.js';
export { resolveTarget, type SshTarget } from './target.js';
export { parseSshArgs, shellSplit } from './args.js';

/** Resolves the spec, dials, and returns the live connection (throws UnreachableError). */
export async function openSshConnection(spec: ConnectionSpec): Promise<Connection> {
  const conn = new SshConnection(resolveTarget(spec));
  await conn.open();
  return conn;
}

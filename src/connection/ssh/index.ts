/** Entry point of the ssh transport (ssh2, one persistent connection per host). */
import { PhiloteError } from '../../errors.js';
import type { Connection, ConnectionSpec } from '../types.js';

export async function openSshConnection(spec: ConnectionSpec): Promise<Connection> {
  throw new PhiloteError('internal', `ssh connection to ${spec.host}: transport is being built`);
}

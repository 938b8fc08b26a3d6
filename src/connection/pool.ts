/**
 * One persistent connection per target for the whole run (ARCHITECTURE.md: few round trips).
 * A connection is opened on first use; concurrent first uses of the same host share
 * one dial, so N forks asking for the same host at once never open N connections.
 */
import type { Connection, ConnectionPool, ConnectionSpec } from './types.js';
import { LocalConnection } from './local.js';

export type ConnectionFactory = (spec: ConnectionSpec) => Promise<Connection>;

export interface ConnectionPoolOptions {
  /** Replaces the ssh transport (tests, or an alternative implementation). */
  sshFactory?: ConnectionFactory;
}

/** The default ssh transport, loaded lazily so `local`-only runs never load ssh2. */
const defaultSshFactory: ConnectionFactory = async (spec) => {
  const { openSshConnection } = await import('./ssh/index.js');
  return openSshConnection(spec);
};

export function createConnectionPool(opts: ConnectionPoolOptions = {}): ConnectionPool {
  const sshFactory = opts.sshFactory ?? defaultSshFactory;
  // Keyed by host plus the dial identity: delegate_to or a changed ansible_host must not reuse a wrong transport.
  const entries = new Map<string, Promise<Connection>>();

  const keyOf = (spec: ConnectionSpec): string =>
    spec.connection === 'local'
      ? `local\0${spec.host}`
      : `ssh\0${spec.host}\0${spec.user ?? ''}\0${spec.address}\0${spec.port ?? ''}\0${spec.sshArgs ?? ''}`;

  return {
    get(spec: ConnectionSpec): Promise<Connection> {
      const key = keyOf(spec);
      let p = entries.get(key);
      if (!p) {
        p = spec.connection === 'local' ? Promise.resolve(new LocalConnection(spec.host)) : sshFactory(spec);
        // A failed dial is not cached: the next use (e.g. after a reboot) dials again.
        p.catch(() => {
          if (entries.get(key) === p) entries.delete(key);
        });
        entries.set(key, p);
      }
      return p;
    },

    async drop(host: string): Promise<void> {
      const closing: Promise<void>[] = [];
      for (const [key, p] of entries) {
        if (key.split('\0')[1] !== host) continue;
        entries.delete(key);
        closing.push(p.then((c) => c.close()).catch(() => undefined));
      }
      await Promise.all(closing);
    },

    async closeAll(): Promise<void> {
      const all = [...entries.values()];
      entries.clear();
      await Promise.all(all.map((p) => p.then((c) => c.close()).catch(() => undefined)));
    },
  };
}

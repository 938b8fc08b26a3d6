/**
 * The connection trace shown at -vvvv, like ansible-playbook's "<address> ESTABLISH SSH
 * CONNECTION FOR USER: ..." lines: what is dialled (address, port, user, key files, host key
 * checking), the host key, authentication methods tried, and every channel opened. Credentials
 * and commands never go in it (a command can carry a task's `environment`); only their kind and size.
 * The CLI turns it on for one run (traceConnections) and the ssh code reports (connectionTrace).
 */
export type TraceFn = (address: string, message: string) => void;

let current: TraceFn | undefined;

/** Sends trace lines to `fn` until the returned function is called. */
export function traceConnections(fn: TraceFn): () => void {
  current = fn;
  return () => {
    if (current === fn) current = undefined;
  };
}

export function connectionTrace(address: string, message: string): void {
  current?.(address, message);
}

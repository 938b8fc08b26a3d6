/**
 * The per-request deadline of Kubernetes API calls. kubernetes.core 2.4 sets none: with the API
 * partitioned, each call waits for the kernel's SYN retries (~130 s measured), so a 300-item loop
 * runs for hours. philote gives every request 30 s (an API server answers a GET in milliseconds and
 * a slow admission webhook in under 30 s; waits are polls of short requests, logs are read whole),
 * settable with PHILOTE_K8S_REQUEST_TIMEOUT (seconds; 0 turns it off).
 */
export const DEFAULT_REQUEST_TIMEOUT_S = 30;

export function requestTimeoutMs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env['PHILOTE_K8S_REQUEST_TIMEOUT'];
  const s = raw === undefined || raw.trim() === '' ? DEFAULT_REQUEST_TIMEOUT_S : Number(raw);
  if (!Number.isFinite(s) || s < 0) return DEFAULT_REQUEST_TIMEOUT_S * 1000;
  return s === 0 ? undefined : s * 1000;
}

/** The caller's signal (task timeout, Ctrl-C) joined with the request deadline. */
export function requestSignal(caller: AbortSignal | undefined, timeoutMs: number | undefined): AbortSignal | undefined {
  const parts = [caller, timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined].filter((s): s is AbortSignal => s !== undefined);
  if (parts.length <= 1) return parts[0];
  return AbortSignal.any(parts);
}

/** Messages on the lab daemon's control socket. */
import type { LabState } from './layout.js';

export interface ControlRequest {
  op: 'ping' | 'status' | 'stop' | 'start' | 'cut' | 'reset' | 'reboot' | 'shutdown';
  node?: string;
  /** reboot: how long the node stays down. */
  delayMs?: number;
}

export interface ControlReply {
  ok: boolean;
  error?: string;
  state?: LabState;
}

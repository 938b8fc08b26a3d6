/** Starting a run record for `philote playbook`, or saying (as a warning) why there is none. */
import { userInfo } from 'node:os';
import type { AnsibleConfig } from '../config/index.js';
import type { OutputSink } from '../output/events.js';
import { Recorder } from './recorder.js';
import { newRunId, runsDir } from './store.js';

export interface RecordRequest {
  config: AnsibleConfig;
  env: Record<string, string | undefined>;
  cwd: string;
  playbooks: string[];
  check: boolean;
  diff: boolean;
  limit?: string;
  tags?: string[];
  version: string;
  output: OutputSink;
}

function user(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid=${process.getuid?.() ?? '?'}`;
  }
}

export function startRecord(req: RecordRequest): Recorder | undefined {
  const root = runsDir(req.config.runsDir, req.env);
  const now = new Date();
  try {
    return new Recorder(root, {
      id: newRunId(now),
      playbooks: req.playbooks,
      cwd: req.cwd,
      startedAt: now.toISOString(),
      check: req.check,
      diff: req.diff,
      limit: req.limit,
      tags: req.tags,
      philoteVersion: req.version,
      user: user(),
    });
  } catch (e) {
    // A read-only home must not stop a run; the record is a convenience.
    req.output.emit({ type: 'warning', message: `not recording this run in ${root}: ${(e as Error).message} (set PHILOTE_RUNS_DIR, or PHILOTE_RECORD=0 to stop trying)` });
    return undefined;
  }
}

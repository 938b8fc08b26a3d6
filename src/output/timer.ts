/** ansible.posix.timer (callbacks_enabled = timer): how long the playbook ran, printed at the end. */
import type { OutputSink, RunEvent } from './events.js';
import type { Display } from './writer.js';

export class Timer implements OutputSink {
  private readonly start: number;
  constructor(private readonly display: Display, private readonly now: () => number = Date.now) {
    this.start = now();
  }

  emit(e: RunEvent): void {
    if (e.type !== 'playbook_end') return;
    const total = Math.floor((this.now() - this.start) / 1000);
    const days = Math.floor(total / 86_400);
    const rest = total % 86_400;
    this.display.display(`Playbook run took ${days} days, ${Math.floor(rest / 3600)} hours, ${Math.floor(rest / 60) % 60} minutes, ${rest % 60} seconds`);
  }

  async close(): Promise<void> {}
}

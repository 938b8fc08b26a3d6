/** The recap counters, counted as Ansible's strategy does. */
import type { HostStats } from '../output/events.js';

export class Stats {
  readonly hosts: Record<string, HostStats> = {};

  ensure(host: string): HostStats {
    return (this.hosts[host] ??= { ok: 0, changed: 0, unreachable: 0, failures: 0, skipped: 0, rescued: 0, ignored: 0 });
  }

  bump(host: string, key: keyof HostStats, by = 1): void {
    this.ensure(host)[key] += by;
  }

  anyFailures(): boolean {
    return Object.values(this.hosts).some((s) => s.failures > 0);
  }

  anyUnreachable(): boolean {
    return Object.values(this.hosts).some((s) => s.unreachable > 0);
  }
}

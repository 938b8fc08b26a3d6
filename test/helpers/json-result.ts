/**
 * A json-callback result without what differs between two runs of the same work: task and play
 * ids, durations and the command timings (start, end, delta). Hosts sorted, tasks in order.
 */
export function comparableResult(text: string): unknown {
  const r = JSON.parse(text.slice(text.indexOf('{'))) as {
    stats: Record<string, unknown>;
    plays: Array<{ play: { name: string; path: string }; tasks: Array<{ task: { name: string; path: string }; hosts: Record<string, Record<string, unknown>> }> }>;
  };
  return {
    stats: r.stats,
    plays: r.plays.map((p) => ({
      name: p.play.name,
      path: p.play.path,
      tasks: p.tasks.map((t) => ({
        name: t.task.name,
        path: t.task.path,
        hosts: Object.fromEntries(
          Object.keys(t.hosts)
            .sort()
            .map((h) => {
              const { start: _s, end: _e, delta: _d, ...rest } = t.hosts[h]!;
              return [h, rest];
            }),
        ),
      })),
    })),
  };
}

/** serial: a number, a percentage, or a list of them (the last one repeats), as Ansible splits batches. */

function batchSize(spec: number | string, total: number): number {
  if (typeof spec === 'string' && spec.trim().endsWith('%')) {
    const pct = Number(spec.trim().slice(0, -1));
    return Math.max(1, Math.floor((pct / 100) * total));
  }
  const n = Number(spec);
  return n <= 0 || !Number.isFinite(n) ? total : n;
}

export function splitBatches<T>(hosts: T[], serial: number | string | Array<number | string> | undefined): T[][] {
  if (serial === undefined || serial === null || (Array.isArray(serial) && serial.length === 0)) return [hosts];
  const specs = Array.isArray(serial) ? serial : [serial];
  const out: T[][] = [];
  let i = 0;
  let s = 0;
  while (i < hosts.length) {
    const size = batchSize(specs[Math.min(s, specs.length - 1)]!, hosts.length);
    out.push(hosts.slice(i, i + size));
    i += size;
    s++;
  }
  return out.length ? out : [hosts];
}

export function orderHosts(hosts: string[], order: string | undefined): string[] {
  switch (order) {
    case 'reverse_inventory':
      return [...hosts].reverse();
    case 'sorted':
      return [...hosts].sort();
    case 'reverse_sorted':
      return [...hosts].sort().reverse();
    case 'shuffle': {
      const a = [...hosts];
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [a[i], a[j]] = [a[j]!, a[i]!];
      }
      return a;
    }
    default:
      return hosts;
  }
}

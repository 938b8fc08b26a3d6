/** Comparing the outputs of ansible-playbook and philote run on twin labs (scripts/twin-run.ts, k3s-twin.ts). */

/**
 * The lines of each task's section sorted: hosts run in parallel, and with --diff a host's diff
 * comes before its status line, so only the section's lines as a multiset are comparable.
 */
export function sortedByTask(text: string): string[] {
  const out: string[] = [];
  let section: string[] = [];
  const flush = () => {
    out.push(...section.sort());
    section = [];
  };
  for (const line of text.split('\n')) {
    if (/^(TASK|PLAY|RUNNING HANDLER)/.test(line) || /^\S+\s+: ok=/.test(line)) {
      flush();
      out.push(line);
    } else section.push(line);
  }
  flush();
  return out;
}

export function differences(a: string[], b: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) out.push(`line ${i + 1}:\n  ansible: ${a[i] ?? '(none)'}\n  philote: ${b[i] ?? '(none)'}`);
  }
  return out;
}


/**
 * split, json_query and community.general.merge_variables, differential: every case is rendered by
 * ansible-core 2.14's Templar with Debian's community.general and python3-jmespath (the template
 * conformance oracle) and by philote, and the results must be equal, kinds included. Errors are
 * compared by their kind and their first line (the JMESPath engines word the detail differently).
 */
import { describe, expect, it } from 'vitest';
import { runOracle, runPhilote, type Case } from '../conformance/template/harness.js';

const vars = {
  csv: 'a,b,,c',
  words: '  one two\tthree  ',
  pods: {
    items: [
      { metadata: { name: 'web-1', labels: { app: 'web' } }, status: { phase: 'Running', podIP: '10.42.0.5' } },
      { metadata: { name: 'web-2', labels: { app: 'web' } }, status: { phase: 'Pending' } },
      { metadata: { name: 'db-0', labels: { app: 'db' } }, status: { phase: 'Running', podIP: '10.42.1.9' } },
    ],
  },
  nodes: [{ name: 'n1', cpu: 4 }, { name: 'n2', cpu: 8 }],
  a__users: { alice: { groups: ['wheel'] }, shared: 1 },
  b__users: { bob: { groups: ['dev'] }, alice: { groups: ['dev'] }, shared: 1 },
  c__clash: { shared: 2 },
  x_pkgs: ['curl'],
  y_pkgs: ['jq', 'git'],
  z_pkgs: { not: 'a list' },
  tmpl_pkgs: ['{{ csv | split(",") | first }}'],
};

const cases: string[] = [
  '{{ csv | split(",") }}',
  '{{ csv | split(",", 1) }}',
  '{{ words | split }}',
  '{{ words | split(None, 1) }}',
  '{{ "a-b-c" | ansible.builtin.split("-") | last }}',
  '{{ 42 | split(",") }}',
  '{{ csv | split("") }}',
  "{{ pods | json_query('items[?status.phase==`Running`].metadata.name') }}",
  "{{ pods | community.general.json_query('items[*].status.podIP') }}",
  "{{ pods | json_query('items[0].metadata') }}",
  "{{ pods | json_query('length(items)') }}",
  "{{ pods | json_query('items[?metadata.labels.app==`web`] | [0].metadata.name') }}",
  "{{ nodes | json_query('[].{n: name, c: cpu}') }}",
  "{{ nodes | json_query('max_by(@, &cpu).name') }}",
  "{{ nodes | json_query('sum([].cpu)') }}",
  "{{ nodes | json_query('[?cpu > `4`] | length(@)') }}",
  "{{ nodes | json_query('missing') }}",
  "{{ nodes | json_query('[') }}",
  "{{ lookup('community.general.merge_variables', '^.__users$') }}",
  "{{ lookup('community.general.merge_variables', '_pkgs', pattern_type='suffix', initial_value=['base']) }}",
  "{{ lookup('community.general.merge_variables', 'x_', pattern_type='prefix') }}",
  "{{ lookup('community.general.merge_variables', '^tmpl_pkgs$') }}",
  "{{ lookup('community.general.merge_variables', '__users$|__clash$') }}",
  "{{ lookup('community.general.merge_variables', '__users$|__clash$', override='ignore') }}",
  "{{ lookup('community.general.merge_variables', '^[xz]_pkgs$') }}",
  "{{ lookup('community.general.merge_variables', '^nomatch$') }}",
  "{{ query('community.general.merge_variables', '^x_', '^y_') }}",
];

function firstLine(r: { error: string; message: string }): string {
  return r.message.split('\n')[0]!;
}

describe('split, json_query, merge_variables (differential against ansible-core 2.14)', () => {
  it('renders every case as ansible-core does', () => {
    const cs: Case[] = cases.map((t) => ({ t, v: vars, mode: 'render' }));
    const want = runOracle(cs);
    const got = runPhilote(cs);
    expect(want.filter((r) => 'error' in r).length).toBeGreaterThanOrEqual(4);
    const wrong: string[] = [];
    cs.forEach((c, i) => {
      const w = want[i]!;
      const g = got[i]!;
      if (!('error' in w)) {
        if (JSON.stringify(g) !== JSON.stringify(w)) wrong.push(`${c.t}: ansible ${JSON.stringify(w)}, philote ${JSON.stringify(g)}`);
      } else if (!('error' in g) || g.error === 'crash') {
        wrong.push(`${c.t}: ansible failed (${w.message}), philote gave ${JSON.stringify(g)}`);
      } else if (/^Ansible/.test(w.error) && !firstLine(w).includes(firstLine(g).replace(/\. String: .*$/, ''))) {
        // Ansible's own errors are compared by their text (ansible-core wraps a lookup's message in
        // "An unhandled exception occurred while running the lookup plugin ..."); a bare Python
        // exception (ValueError from str.split) escapes its Templar unwrapped: only "it fails" is compared.
        wrong.push(`${c.t}: ansible said ${firstLine(w)}, philote ${firstLine(g)}`);
      }
    });
    expect(wrong).toEqual([]);
  });
});

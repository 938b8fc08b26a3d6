/**
 * Corpus cases where philote knowingly differs from ansible-core, with the reason.
 * Each entry is also listed in src/template/ENGINE.md.
 */
export const ALLOWED_DIVERGENCES: Record<string, string> = {
  "{{ s.upper }}": 'printing a bound method: Python shows a memory address ("<built-in method upper of str object at 0x...>"), which no other implementation can reproduce',
};

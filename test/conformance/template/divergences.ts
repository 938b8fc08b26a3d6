/**
 * Corpus cases where philote knowingly differs from ansible-core, with the reason.
 * Each entry is also listed in src/template/ENGINE.md.
 */
export const ALLOWED_DIVERGENCES: Record<string, string> = {
  // Error messages (the error itself is right, its words differ):
  '{{ a }}': 'a variable that refers to itself: Ansible nests "An unhandled exception occurred while templating" once per recursion level (about 200 times); philote says "recursive loop detected in template string" once',
  "{{ 'not json' | from_json }}": "from_json of invalid JSON: Python's json module says where (\"Expecting value: line 1 column 1 (char 0)\"), JavaScript's parser words it its own way",
  "{{ '{{ n }}' | from_yaml }}": "from_yaml of a flow mapping used as a key: PyYAML's ConstructorError text vs the yaml package's; both refuse it",
  '{% if %}': "an if without a test: Jinja's parse_tuple says \"Expected an expression, got 'end of statement block'\", philote's parser \"unexpected 'end of statement block'\"",
  "{{ s.upper }}": 'printing a bound method: Python shows a memory address ("<built-in method upper of str object at 0x...>"), which no other implementation can reproduce',
};

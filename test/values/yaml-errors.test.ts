/**
 * YAML and JSON file errors against ansible-core's own DataLoader (Debian's ansible-core 2.14,
 * libyaml underneath) as the oracle: for the syntax mistakes people make most, philote names the
 * same problem, at the same line and column, after the same JSON reason (Python's json words).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PhiloteError } from '../../src/errors.js';
import { loadDataFile } from '../../src/values/yaml.js';
import { pythonJsonError } from '../../src/values/python-json.js';

const hasAnsible = spawnSync('/usr/bin/python3', ['-c', 'import ansible.parsing.dataloader']).status === 0;

const ORACLE = String.raw`
import json, sys
from ansible.parsing.dataloader import DataLoader
from ansible.errors import AnsibleParserError
out = []
for text in json.load(sys.stdin):
    try:
        DataLoader().load(text, file_name='case.yml')
        out.append(None)
    except AnsibleParserError as e:
        pos = e.obj.ansible_pos if e.obj is not None else None
        out.append({'message': e.message.split('\n\nThe error appears to be in')[0], 'line': pos[1] if pos else None, 'column': pos[2] if pos else None})
print(json.dumps(out))
`;

const CASES: Record<string, string> = {
  'a second key on a line': '- hosts: localhost\n  tasks:\n    - debug: msg: hi\n',
  'a key indented one space too far': '- hosts: all\n  tasks:\n    - debug: msg=hi\n     when: x\n',
  'a list item under a mapping': '- hosts: all\n  tasks:\n    - debug: msg=hi\n      when: x\n   - ping:\n',
  'a list item after a key': '- hosts: all\n  vars:\n    a: 1\n    - b\n',
  'a colon inside a plain value': '- hosts: all\n  vars:\n    a: foo: bar\n',
  'items at two columns': '- hosts: all\n  tasks:\n  - debug: msg=a\n   - debug: msg=b\n',
  'an unclosed double quote': '- hosts: all\n  tasks:\n    - debug:\n        msg: "hi\n',
  "an unclosed single quote": "- hosts: all\n  vars:\n    a: 'x\n",
  'an unclosed flow sequence': '- hosts: all\n  vars:\n    a: [1, 2\n',
  'text after a quoted value': '- hosts: all\n  vars:\n    a: "foo" bar\n',
  'a brace too many': '{ }}\n',
  'a key without a space': '- hosts: all\n  vars:\n    a:1\n    b: 2\n  tasks:\n   - ping:\n',
  'a tab in the indentation': '- hosts: all\n\ttasks: []\n',
  'an undefined alias': '- hosts: all\n  vars:\n    a: *nope\n',
  'an unquoted template as a value': '- hosts: all\n  tasks:\n    - debug:\n        msg: {{ foo }}\n',
  'JSON with a trailing comma': '{"a": 1,}\n',
};

function ours(text: string): unknown {
  try {
    loadDataFile(text, 'case.yml');
    return null;
  } catch (e) {
    if (!(e instanceof PhiloteError)) throw e;
    return { message: e.message, line: e.location?.line ?? null, column: e.location?.column ?? null };
  }
}

describe.skipIf(!hasAnsible)("file syntax errors (differential against ansible-core's DataLoader)", () => {
  const names = Object.keys(CASES);
  const r = spawnSync('/usr/bin/python3', ['-c', ORACLE], { input: JSON.stringify(names.map((n) => CASES[n])), encoding: 'utf8' });
  const expected = r.status === 0 ? (JSON.parse(r.stdout) as unknown[]) : [];
  it('the oracle ran', () => expect(r.status, r.stderr).toBe(0));
  names.forEach((name, i) => {
    it(name, () => expect(ours(CASES[name]!)).toEqual(expected[i]));
  });
});

describe.skipIf(!hasAnsible)("Python's json verdicts", () => {
  const texts = ['{ }}', '- hosts: x\n', '\n  # c\n', '{"a": 1,}', '{a: 1}', '[1, 2', '["a\tb"]', '{"a" 1}', '"abc', '[1 2]', '{"a": [1, {"b": tru}]}', '["\\x"]', '{}', '  [1, 2]  ', '-', '01', '[,]', '', '\ufeff{}', '[1, -]', '{"a": "\\u12"}', 'NaN', '[Infinity, -Infinity]'];
  const py = String.raw`
import json, sys
out = []
for t in json.load(sys.stdin):
    try:
        json.loads(t); out.append(None)
    except Exception as e:
        out.append(str(e))
print(json.dumps(out))
`;
  it('match json.loads on valid and broken texts', () => {
    const r = spawnSync('/usr/bin/python3', ['-c', py], { input: JSON.stringify(texts), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(texts.map((t) => pythonJsonError(t) ?? null)).toEqual(JSON.parse(r.stdout));
  });
});

/** src/shlex.ts against Python's own shlex.split (python3 from Debian), with and without comments. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shlexSplit } from '../../src/values/shlex.js';

const CASES = [
  `echo a  b`,
  `printf '%s|' "a  b" c\\ d '$HOME' ;`,
  `sh -c "echo \\"q\\" \\$x \\\\ \\a"`,
  `a#b c # d`,
  `x="y z"#w`,
  `tab\tsep\nnl\rcr`,
  `vt\vff\fkept`,
  `''  ""  e`,
  `trailing\\`,
  `open 'quote`,
  `open "dquote`,
  ``,
];

function python(comments: boolean): Array<string[] | { error: string }> {
  const code = `import json, shlex, sys
out = []
for s in json.load(sys.stdin):
    try:
        out.append(shlex.split(s, comments=${comments ? 'True' : 'False'}))
    except ValueError as e:
        out.append({"error": str(e)})
print(json.dumps(out))`;
  return JSON.parse(execFileSync('python3', ['-c', code], { input: JSON.stringify(CASES), encoding: 'utf8' })) as Array<string[] | { error: string }>;
}

function ours(comments: boolean): Array<string[] | { error: string }> {
  return CASES.map((s) => {
    try {
      return shlexSplit(s, { comments });
    } catch (e) {
      return { error: (e as Error).message };
    }
  });
}

describe('shlexSplit is Python shlex.split', () => {
  for (const comments of [false, true]) {
    it(`comments=${comments}`, () => {
      const want = python(comments);
      expect(want.some((w) => 'error' in w)).toBe(true);
      CASES.forEach((c, i) => expect({ c, got: ours(comments)[i] }).toEqual({ c, got: want[i] }));
    });
  }
});

/** src/output/wrap.ts against Python's textwrap.wrap (python3 from Debian), the wrapper of Ansible's Display. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { wrapText } from '../../src/output/wrap.js';

const CASES: Array<[string, number]> = [
  ['[WARNING]: Ignoring DaemonSet-managed Pods: calico-system/calico-node-648lr,calico-system/csi-node-driver-r49k4,kube-system/cilium-q2tkp.', 80],
  ['[WARNING]: Ignoring DaemonSet-managed Pods: calico-system/calico-node-slg7t,calico-system/csi-node-driver-7q77c,kube-system/cilium-wxgr5.', 80],
  ['\n[ERROR]: User interrupted execution', 80],
  ['[WARNING]: Could not match supplied host pattern, ignoring: nomatch', 80],
  ['[DEPRECATION WARNING]: The \'return_code\' return key is being renamed to \'rc\'. Both keys are being returned for now to allow users to migrate their automation. This feature will be removed from kubernetes.core in version 4.0.0.', 80],
  ['[WARNING]: a-very-long-hyphenated-word-that-is-longer-than-the-width-of-the-line-itself-and-more-still', 30],
  ['[WARNING]: https://example.invalid/a/very/long/url/without/any/hyphen/in/it/at/all/that/goes/on/and/on', 40],
  ['x\ty\tz  tab\tstops and  double  spaces', 12],
  ['em--dash between--words and -- spaced', 10],
  ['numbers-123 abc-def x-y ab-cd-ef a--b', 7],
  ['   leading spaces then words', 10],
  ['unicode héllo-wörld ünïcödé-wörds', 12],
  ['trailing spaces   ', 8],
];

describe('wrapText is textwrap.wrap', () => {
  it('wraps like Python', () => {
    const code = `import json, sys, textwrap
print(json.dumps([textwrap.wrap(t, w) for t, w in json.load(sys.stdin)]))`;
    const want = JSON.parse(execFileSync('python3', ['-c', code], { input: JSON.stringify(CASES), encoding: 'utf8' })) as string[][];
    CASES.forEach(([t, w], i) => expect({ t, w, got: wrapText(t, w) }).toEqual({ t, w, got: want[i] }));
    expect(want[0]![0]).toBe('[WARNING]: Ignoring DaemonSet-managed Pods: calico-system/calico-');
  });

  it('keeps the spaces with drop_whitespace=False (Display.deprecated)', () => {
    const code = `import json, sys, textwrap
print(json.dumps([textwrap.wrap(t, w, drop_whitespace=False) for t, w in json.load(sys.stdin)]))`;
    const want = JSON.parse(execFileSync('python3', ['-c', code], { input: JSON.stringify(CASES), encoding: 'utf8' })) as string[][];
    CASES.forEach(([t, w], i) => expect({ t, w, got: wrapText(t, w, false) }).toEqual({ t, w, got: want[i] }));
    expect(want[4]![0]).toMatch(/ $/);
  });
});

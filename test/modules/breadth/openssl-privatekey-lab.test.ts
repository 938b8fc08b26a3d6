/**
 * community.crypto.openssl_privatekey on twin lab nodes, differential against ansible-playbook
 * 2.14 with Debian's community.crypto (cryptography backend) on node1 and philote (the node's
 * openssl) on node2: RSA, ECC, Ed25519 keys made, kept, refused (regenerate: fail), re-made for a
 * missing passphrase, converted to PKCS#8, mode changed, removed; argument and directory errors;
 * the fingerprint checked against the key on the node; check mode first. Files live in the
 * nodes' private /var/lib.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugMsgs, outcomes, startTwin, type Twin } from './twin.js';

let t: Twin;
const D = '/var/lib/phl-pki';

const K = (args: string, reg: string, extra = '') => `    - community.crypto.openssl_privatekey: {${args}}\n      register: ${reg}\n${extra}`;
const IGN = '      ignore_errors: true\n';
const TASKS =
  `    - file: {path: ${D}, state: directory}\n      check_mode: false\n` +
  K(`path: ${D}/k1.pem, size: 2048`, 'k1') +
  K(`path: ${D}/k1.pem, size: 2048`, 'k2') +
  K(`path: ${D}/k1.pem, size: 3072, regenerate: fail`, 'k3', IGN) +
  K(`path: ${D}/ec.pem, type: ECC, curve: secp256r1`, 'e1') +
  K(`path: ${D}/ec.pem, type: ECC, curve: secp256r1`, 'e2') +
  K(`path: ${D}/ed.pem, type: Ed25519`, 'd1') +
  K(`path: ${D}/k1.pem, size: 2048, mode: "0640"`, 'k4') +
  K(`path: ${D}/enc.pem, size: 2048, passphrase: s3cret, cipher: auto`, 'p1') +
  K(`path: ${D}/enc.pem, size: 2048, passphrase: s3cret, cipher: auto`, 'p2') +
  K(`path: ${D}/enc.pem, size: 2048, regenerate: fail`, 'p3', IGN) +
  K(`path: ${D}/enc.pem, size: 2048`, 'p4') +
  K(`path: ${D}/ec.pem, type: ECC, curve: secp256r1, format: pkcs8, format_mismatch: convert`, 'e3') +
  K(`path: ${D}/ec.pem, type: ECC, curve: secp256r1, format: pkcs8, format_mismatch: convert`, 'e4') +
  K(`path: ${D}/x.pem, type: ECC`, 'x1', IGN) +
  K(`path: /nonexistent-phl/k.pem`, 'x2', IGN) +
  K(`path: ${D}/x.pem, type: RSA, passphrase: not-logged-pass`, 'x3', IGN) +
  K(`path: ${D}/ed.pem, state: absent`, 'd2') +
  K(`path: ${D}/ed.pem, state: absent`, 'd3') +
  `    - shell: openssl pkey -in ${D}/k1.pem -pubout -outform DER | sha256sum | cut -c1-64\n      register: sum\n      check_mode: false\n      changed_when: false\n` +
  `    - debug: {msg: "{{ [k1.size, k1.type, k1.filename, k1.fingerprint.keys() | sort, k2.fingerprint == k1.fingerprint, k3.msg, e1.curve, e1.size, d1.type, p3.msg, x1.msg, x2.msg, x3.msg, d2.fingerprint, d2.type, 'privatekey' in k1, (k2.fingerprint.sha256 | replace(':', '')) == sum.stdout] }}"}\n`;

const STATE = `cd ${D} 2>/dev/null && ls -1 | while read -r f; do echo "$f $(stat -c %a "$f") $(head -n 1 "$f") $(openssl pkey -in "$f" -passin pass:s3cret -text_pub -noout 2>/dev/null | head -n 1)"; done`;

describe('openssl_privatekey in lab nodes (differential against ansible-playbook)', () => {
  beforeAll(async () => {
    t = await startTwin('opk');
  }, 120_000);
  afterAll(async () => {
    await t?.down();
  });

  it('same outcomes, results and key files as Ansible; check mode changes nothing', async () => {
    const check = await t.both(TASKS, ['--check']);
    expect(outcomes(check.ours), check.ours + check.ans).toEqual(outcomes(check.ans));
    expect((await t.state(STATE))[1]).toBe('');
    const r = await t.both(TASKS);
    expect(outcomes(r.ours), r.ours + r.ans).toEqual(outcomes(r.ans));
    expect(outcomes(r.ours)).toEqual(['ok', 'changed', 'ok', 'failed', 'changed', 'ok', 'changed', 'changed', 'changed', 'ok', 'failed', 'changed', 'changed', 'ok', 'failed', 'failed', 'failed', 'changed', 'ok', 'ok', 'ok']);
    expect(debugMsgs(r.ours), r.ours + r.ans).toEqual(debugMsgs(r.ans));
    expect(debugMsgs(r.ours)[0]).toMatch(/true\n\s*\]$/);
    const [a, o] = await t.state(STATE);
    expect(o).toBe(a);
    expect(o).toContain('ec.pem 600 -----BEGIN PRIVATE KEY----- Public-Key: (256 bit)');
    expect(o).toContain('k1.pem 640 -----BEGIN RSA PRIVATE KEY----- Public-Key: (2048 bit)');
    // The passphrase never reaches the output.
    expect(r.ours).not.toContain('s3cret');
  }, 240_000);
});

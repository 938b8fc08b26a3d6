/**
 * community.crypto.openssl_csr and x509_certificate on twin lab nodes, differential against
 * ansible-playbook 2.14 with Debian's community.crypto (cryptography backend) on node1 and
 * philote (the node's openssl) on node2: a CA (self-signed) and a server certificate signed by it
 * (ownca), from requests with subject, SANs, key usages and basic constraints; kept when nothing
 * changed, made again when the request changes; the certificates' subjects, issuers and
 * extensions compared as openssl prints them; openssl_csr_pipe's request kept or made again, and
 * a certificate from its csr_content; check mode first. Files in the nodes' /var/lib.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugMsgs, outcomes, startTwin, type Twin } from './twin.js';

let t: Twin;
const D = '/var/lib/phl-x509';

const task = (mod: string, args: string, reg: string, extra = '') => `    - community.crypto.${mod}: {${args}}\n      register: ${reg}\n${extra}`;
const CSR_SERVER = `path: ${D}/server.csr, privatekey_path: ${D}/server.key, common_name: node.example, organization_name: "K3s / lab", subject_alt_name: ["DNS:node.example", "IP:10.0.0.5"], key_usage: [digitalSignature, Key Encipherment], extended_key_usage: [serverAuth, TLS Web Client Authentication]`;
const TASKS =
  `    - file: {path: ${D}, state: directory}\n      check_mode: false\n` +
  task('openssl_privatekey', `path: ${D}/ca.key, type: ECC, curve: secp384r1`, 'k1') +
  task('openssl_privatekey', `path: ${D}/server.key, size: 2048`, 'k2') +
  task('openssl_csr', `path: ${D}/ca.csr, privatekey_path: ${D}/ca.key, common_name: Lab CA, basic_constraints: ["CA:TRUE"], basic_constraints_critical: true, key_usage: [keyCertSign, cRLSign], key_usage_critical: true, use_common_name_for_san: false, create_subject_key_identifier: true`, 'c1') +
  task('openssl_csr', CSR_SERVER, 'c2') +
  task('openssl_csr', CSR_SERVER, 'c3') +
  task('openssl_csr', CSR_SERVER.replace('IP:10.0.0.5', 'IP:10.0.0.6'), 'c4') +
  task('openssl_csr', `path: ${D}/plain.csr, privatekey_path: ${D}/server.key, subject: {CN: plain.example, OU: [a, b]}, mode: "0600"`, 'c5') +
  task('openssl_csr', `path: ${D}/x.csr, privatekey_path: ${D}/server.key, state: bogus`, 'x1', '      ignore_errors: true\n') +
  task('x509_certificate', `path: ${D}/ca.crt, provider: selfsigned, csr_path: ${D}/ca.csr, privatekey_path: ${D}/ca.key`, 'ca1') +
  task('x509_certificate', `path: ${D}/ca.crt, provider: selfsigned, csr_path: ${D}/ca.csr, privatekey_path: ${D}/ca.key`, 'ca2') +
  task('x509_certificate', `path: ${D}/server.crt, provider: ownca, csr_path: ${D}/server.csr, ownca_path: ${D}/ca.crt, ownca_privatekey_path: ${D}/ca.key, ownca_not_after: "+365d"`, 's1') +
  task('x509_certificate', `path: ${D}/server.crt, provider: ownca, csr_path: ${D}/server.csr, ownca_path: ${D}/ca.crt, ownca_privatekey_path: ${D}/ca.key, ownca_not_after: "+365d", mode: "0600"`, 's2') +
  task('openssl_csr', CSR_SERVER.replace('IP:10.0.0.5', 'IP:10.0.0.7'), 'c6') +
  task('x509_certificate', `path: ${D}/server.crt, provider: ownca, csr_path: ${D}/server.csr, ownca_path: ${D}/ca.crt, ownca_privatekey_path: ${D}/ca.key, ownca_not_after: "+365d", mode: "0600"`, 's3') +
  task('x509_certificate', `path: ${D}/server.crt, provider: ownca, csr_path: ${D}/server.csr, ownca_path: ${D}/ca.crt, ownca_privatekey_path: ${D}/ca.key, ownca_not_after: "+365d", mode: "0600", return_content: true`, 's4') +
  task('x509_certificate', `path: ${D}/x.crt, csr_path: ${D}/ca.csr`, 'x2', '      ignore_errors: true\n') +
  task('x509_certificate', `path: ${D}/x.crt, provider: selfsigned, csr_path: ${D}/ca.csr`, 'x3', '      ignore_errors: true\n') +
  task('openssl_csr_pipe', `privatekey_path: ${D}/server.key, common_name: pipe.example, extended_key_usage: [clientAuth]`, 'q1') +
  task('openssl_csr_pipe', `privatekey_path: ${D}/server.key, common_name: pipe.example, extended_key_usage: [clientAuth], content: "{{ q1.csr }}"`, 'q2') +
  task('openssl_csr_pipe', `privatekey_path: ${D}/server.key, common_name: pipe2.example, content: "{{ q1.csr }}"`, 'q3') +
  task('x509_certificate', `path: ${D}/pipe.crt, provider: ownca, csr_content: "{{ q1.csr }}", ownca_path: ${D}/ca.crt, ownca_privatekey_path: ${D}/ca.key`, 'q4', '      when: not ansible_check_mode\n') +
  task('x509_certificate', `path: ${D}/pipe.crt, provider: ownca, csr_content: "{{ q1.csr }}", ownca_path: ${D}/ca.crt, ownca_privatekey_path: ${D}/ca.key`, 'q5', '      when: not ansible_check_mode\n') +
  `    - debug: {msg: "{{ [q1.subject, q1.extendedKeyUsage, q1.csr is string and q1.csr.startswith('-----BEGIN CERTIFICATE REQUEST-----'), q2.csr == q1.csr, q3.csr == q1.csr, q3.subjectAltName, q1.privatekey] }}"}\n` +
  `    - shell: openssl verify -CAfile ${D}/ca.crt ${D}/server.crt && openssl x509 -in ${D}/server.crt -noout -enddate -subject -issuer | sed 's/notAfter=.* \\([0-9]*\\) GMT/\\1/'\n      register: v\n      check_mode: false\n      changed_when: false\n` +
  `    - debug: {msg: "{{ [ca1.privatekey, ca1.csr, ca1.filename, s1.csr, x2.msg, x3.msg, s4.certificate is match('-----BEGIN CERTIFICATE-----'), v.stdout_lines] }}"}\n` +
  `    - debug: {msg: "{{ [c1.subject, c1.subjectAltName, c1.keyUsage, c1.basicConstraints, c2.subject, c2.subjectAltName, c2.extendedKeyUsage, c3.changed, c5.subject, c5.subjectAltName, c5.privatekey, c5.filename, x1.msg] }}"}\n`;

const STATE = `cd ${D} 2>/dev/null && ls -1 | while read -r f; do echo "== $f $(stat -c %a "$f")"; case $f in *.csr) openssl req -in "$f" -noout -text | sed -n '/Subject:/p; /Requested Extensions/,/Signature Algorithm/p' | grep -v 'Signature Algorithm\\|^ *[0-9A-F][0-9A-F]:' ;; *.crt) openssl x509 -in "$f" -noout -text | sed -n '/Version:/p; /Issuer:/p; /Subject:/p; /X509v3 extensions/,/Signature Algorithm/p' | grep -v 'Signature Algorithm\\|^ *[0-9A-F][0-9A-F]:\\|Key Identifier' | sort ;; esac; done`;

describe('openssl_csr and x509_certificate in lab nodes (differential against ansible-playbook)', () => {
  beforeAll(async () => {
    t = await startTwin('x509');
  }, 120_000);
  afterAll(async () => {
    await t?.down();
  });

  it('same outcomes, results and files as Ansible; check mode changes nothing', async () => {
    const check = await t.both(TASKS, ['--check']);
    expect(outcomes(check.ours), check.ours + check.ans).toEqual(outcomes(check.ans));
    expect((await t.state(STATE))[1]).toBe('');
    const r = await t.both(TASKS);
    expect(outcomes(r.ours), r.ours + r.ans).toEqual(outcomes(r.ans));
    expect(debugMsgs(r.ours), r.ours + r.ans).toEqual(debugMsgs(r.ans));
    const [a, o] = await t.state(STATE);
    expect(o).toBe(a);
    expect(o).toContain('IP Address:10.0.0.7');
    expect(o).toContain('Issuer: CN = Lab CA');
    expect(o).toContain('Version: 3 (0x2)');
  }, 240_000);
});

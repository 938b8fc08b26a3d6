/**
 * The controller-side pieces of the community.crypto modules, against their references without a
 * lab: fingerprints against the collection's own get_fingerprint_of_bytes (Debian's Python),
 * keyIdentifier against the Subject Key Identifier openssl writes for "hash", parseX509Text and
 * keyKind on what openssl prints for RSA, EC and Ed25519 keys.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprints, keyKind, parseX509Text } from '../../../src/modules/node/openssl-support.js';
import { keyIdentifier } from '../../../src/modules/node/x509-certificate.js';

const dir = mkdtempSync(join(tmpdir(), 'phl-osl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ssl = (args: string[], input?: string | Buffer) => execFileSync('openssl', args, { input, cwd: dir });

const KEYS: [string, string[]][] = [
  ['rsa', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']],
  ['ec', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1']],
  ['ed', ['-algorithm', 'ED25519']],
];

describe('openssl support', () => {
  for (const [name, alg] of KEYS) {
    it(`${name}: fingerprints as the collection computes them, SKI as openssl's, the key read back`, () => {
      ssl(['genpkey', ...alg, '-out', `${name}.key`]);
      const der = ssl(['pkey', '-in', `${name}.key`, '-pubout', '-outform', 'DER']);
      writeFileSync(join(dir, `${name}.der`), der);
      const py = execFileSync(
        '/usr/bin/python3',
        ['-c', 'import json,sys; from ansible_collections.community.crypto.plugins.module_utils.crypto.support import get_fingerprint_of_bytes as f; print(json.dumps(f(open(sys.argv[1],"rb").read())))', join(dir, `${name}.der`)],
        { encoding: 'utf8' },
      );
      expect(fingerprints(der)).toEqual(JSON.parse(py));
      ssl(['req', '-new', '-x509', '-key', `${name}.key`, '-subj', '/CN=t', '-addext', 'subjectKeyIdentifier=hash', '-out', `${name}.crt`]);
      const text = ssl(['x509', '-in', `${name}.crt`, '-noout', '-text']).toString();
      const cert = parseX509Text(text);
      expect(cert.subject).toEqual(['CN = t']);
      expect(cert.issuer).toEqual(['CN = t']);
      expect(cert.extensions['X509v3 Subject Key Identifier']).toBe(`|${keyIdentifier(der)}`);
      expect(cert.publicKey).toContain('Public-Key');
      const kind = keyKind(ssl(['pkey', '-pubin', '-inform', 'DER', '-in', `${name}.der`, '-text_pub', '-noout']).toString());
      expect(kind).toEqual({ rsa: { type: 'RSA', size: 2048 }, ec: { type: 'ECC', size: 256, curve: 'secp256r1' }, ed: { type: 'Ed25519' } }[name]);
      expect(readFileSync(join(dir, `${name}.key`), 'utf8')).toContain('PRIVATE KEY');
    });
  }
});

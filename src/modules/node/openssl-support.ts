/**
 * What the community.crypto modules share here: the node has `openssl` (OpenSSL 3's CLI) and no
 * Python, so keys, requests and certificates are made and read with it, and the controller
 * computes what the collection computes in Python (fingerprints) from public data the node sends
 * back. Private keys never leave the node (unless return_content asks for them).
 */
import { createHash } from 'node:crypto';

/** hashlib.algorithms_guaranteed as the collection hashes with it; shake digests are 32 bytes. */
const FINGERPRINT_ALGOS: [string, string, number?][] = [
  ['blake2b', 'blake2b512'],
  ['blake2s', 'blake2s256'],
  ['md5', 'md5'],
  ['sha1', 'sha1'],
  ['sha224', 'sha224'],
  ['sha256', 'sha256'],
  ['sha384', 'sha384'],
  ['sha3_224', 'sha3-224'],
  ['sha3_256', 'sha3-256'],
  ['sha3_384', 'sha3-384'],
  ['sha3_512', 'sha3-512'],
  ['sha512', 'sha512'],
  ['shake_128', 'shake128', 32],
  ['shake_256', 'shake256', 32],
];

/** get_fingerprint_of_bytes: every algorithm's hex digest of `der`, colon-separated. */
export function fingerprints(der: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, node, len] of FINGERPRINT_ALGOS) {
    const hex = createHash(node, len ? { outputLength: len } : {}).update(der).digest('hex');
    out[name] = hex.match(/../g)!.join(':');
  }
  return out;
}

/** The collection's curve names, as OpenSSL's genpkey knows them. */
export const CURVES: Record<string, string> = {
  secp224r1: 'secp224r1',
  secp256k1: 'secp256k1',
  secp256r1: 'prime256v1',
  secp384r1: 'secp384r1',
  secp521r1: 'secp521r1',
  secp192r1: 'prime192v1',
  brainpoolP256r1: 'brainpoolP256r1',
  brainpoolP384r1: 'brainpoolP384r1',
  brainpoolP512r1: 'brainpoolP512r1',
  sect163k1: 'sect163k1',
  sect163r2: 'sect163r2',
  sect233k1: 'sect233k1',
  sect233r1: 'sect233r1',
  sect283k1: 'sect283k1',
  sect283r1: 'sect283r1',
  sect409k1: 'sect409k1',
  sect409r1: 'sect409r1',
  sect571k1: 'sect571k1',
  sect571r1: 'sect571r1',
};

/** The `openssl pkey -text_pub` first line and OID line, read back as the collection's type, size and curve. */
export function keyKind(text: string): { type: string; size?: number; curve?: string } {
  const first = text.split('\n')[0] ?? '';
  const named = /^(ED25519|ED448|X25519|X448) Public-Key/.exec(first);
  if (named) return { type: { ED25519: 'Ed25519', ED448: 'Ed448', X25519: 'X25519', X448: 'X448' }[named[1]!]! };
  const bits = Number(/\((\d+) bit\)/.exec(first)?.[1] ?? 0);
  const oid = /ASN1 OID: (\S+)/.exec(text)?.[1];
  if (oid) return { type: 'ECC', size: bits, curve: Object.keys(CURVES).find((k) => CURVES[k] === oid) ?? oid };
  if (/^Modulus:/m.test(text)) return { type: 'RSA', size: bits };
  if (/^[PQG]:/m.test(text)) return { type: 'DSA', size: bits };
  return { type: 'unknown' };
}

/** The directory check the collection's modules make before anything else. */
export const SH_DIR_CHECK = String.raw`
_bd=$(dirname -- "$a_path")
[ -d "$_bd" ] || { jsv "$_bd"; _n=$_j; jsv "The directory $_bd does not exist or the file is not a directory"; printf '{"failed":true,"name":%s,"msg":%s}\n' "$_n" "$_j"; exit 0; }
`;

/** What `openssl req|x509 -noout -text` says that the collection compares, order-free where it compares sets. */
export interface X509Text {
  subject: string[];
  issuer: string[];
  /** The public key block, as printed. */
  publicKey: string;
  /** Extension name -> "critical|" + its values sorted (values split at ", "). */
  extensions: Record<string, string>;
}

const nameParts = (line: string | undefined): string[] => (line ? line.split(', ').sort() : []);

export function parseX509Text(text: string): X509Text {
  const lines = text.split('\n');
  const field = (name: string) => lines.find((l) => l.trimStart().startsWith(`${name}: `))?.trimStart().slice(name.length + 2);
  const pkStart = lines.findIndex((l) => l.trim() === 'Subject Public Key Info:');
  let pkEnd = pkStart + 1;
  while (pkStart >= 0 && pkEnd < lines.length && /^\s{12,}/.test(lines[pkEnd]!)) pkEnd++;
  const extensions: Record<string, string> = {};
  const extStart = lines.findIndex((l) => /^\s*(Requested Extensions|X509v3 extensions):\s*$/.test(l));
  if (extStart >= 0) {
    const indent = (l: string) => l.length - l.trimStart().length;
    const base = indent(lines[extStart + 1] ?? '');
    for (let i = extStart + 1; i < lines.length && indent(lines[i]!) >= base && lines[i]!.trim() !== ''; i++) {
      const l = lines[i]!;
      if (indent(l) !== base) continue;
      const m = /^\s*(.+?):\s*(critical)?\s*$/.exec(l);
      if (!m) continue;
      const values: string[] = [];
      for (let j = i + 1; j < lines.length && indent(lines[j]!) > base; j++) values.push(...lines[j]!.trim().split(', '));
      extensions[m[1]!] = `${m[2] ? 'critical' : ''}|${values.sort().join(', ')}`;
    }
  }
  return {
    subject: nameParts(field('Subject')),
    issuer: nameParts(field('Issuer')),
    publicKey: pkStart >= 0 ? lines.slice(pkStart, pkEnd).map((l) => l.trim()).join('\n') : '',
    extensions,
  };
}

/** A value for an openssl config file line: `$`, `#` and `\` are special there. */
export function cnfValue(v: string): string {
  return v.replace(/[\\$#]/g, (c) => `\\${c}`);
}

/** A subject as `openssl req -subj` reads it: /K=V/K=V, with `/`, `+` and `\` escaped. */
export function subjArg(entries: [string, string][]): string {
  return entries.map(([k, v]) => `/${k}=${v.replace(/[\\/+]/g, (c) => `\\${c}`)}`).join('') || '/';
}

const KEY_USAGE: Record<string, string> = {
  digitalsignature: 'digitalSignature',
  nonrepudiation: 'nonRepudiation',
  contentcommitment: 'nonRepudiation',
  keyencipherment: 'keyEncipherment',
  dataencipherment: 'dataEncipherment',
  keyagreement: 'keyAgreement',
  keycertsign: 'keyCertSign',
  crlsign: 'cRLSign',
  encipheronly: 'encipherOnly',
  decipheronly: 'decipherOnly',
};

/** The collection's key usage names (short or long, any case) as openssl's; undefined for an unknown one. */
export function keyUsageName(n: string): string | undefined {
  return KEY_USAGE[n.replace(/[\s_]/g, '').toLowerCase()];
}

const EKU: Record<string, string> = {
  'tls web server authentication': 'serverAuth',
  'tls web client authentication': 'clientAuth',
  'code signing': 'codeSigning',
  'e-mail protection': 'emailProtection',
  'time stamping': 'timeStamping',
  'ocsp signing': 'OCSPSigning',
  'any extended key usage': 'anyExtendedKeyUsage',
  'ipsec end system': 'ipsecEndSystem',
  'ipsec tunnel': 'ipsecTunnel',
  'ipsec user': 'ipsecUser',
};

/** An extended key usage as openssl's short name (long names mapped; short names and OIDs as given). */
export function extKeyUsageName(n: string): string {
  return EKU[n.toLowerCase()] ?? n;
}

/** state: absent for the openssl modules: remove the file (with a backup when asked); check mode only reports. */
export const REMOVE_FILE = String.raw`
ch=false; bk=
if [ -e "$a_path" ]; then
  ch=true
  if [ -z "$a_check" ]; then
    if [ -n "$a_backup" ]; then bk="$a_path.$$.$(date +%Y-%m-%d@%H:%M:%S~)"; cp -p -- "$a_path" "$bk" || fail "Could not make a backup of $a_path"; fi
    rm -f -- "$a_path" || fail "could not remove $a_path"
  fi
fi
jsv "$bk"; printf '{"changed":%s,"backup_file":%s}\n' "$ch" "$_j"
`;

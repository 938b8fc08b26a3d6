/**
 * x509_certificate (community.crypto.x509_certificate), providers selfsigned and ownca: a
 * certificate made from a request with the node's `openssl x509 -req` (the request's extensions
 * copied, a random serial, a Subject Key Identifier unless never_create, for ownca an Authority Key
 * Identifier), kept while it matches, as the collection's cryptography backend decides it: the
 * certificate is readable, its key is the private key's, the request is signed and has the
 * certificate's key, subject and extensions (Key Identifiers aside), its Subject Key Identifier is
 * the request's or the key's hash, and for ownca it is signed by the CA, its issuer is the CA's
 * subject and its Authority Key Identifier the CA's. Timestamps are not compared (ignore_timestamps,
 * default true); with ignore_timestamps false the certificate is made again, as relative times
 * always differ.
 *
 * Arguments: path, state, provider (selfsigned | ownca; acme and entrust are refused), csr_path |
 * csr_content, privatekey_path, privatekey_passphrase, selfsigned_digest, selfsigned_not_before
 * (+0s only), selfsigned_not_after (+Nd or +Nw: whole days, default +3650d),
 * selfsigned_create_subject_key_identifier, ownca_path, ownca_privatekey_path,
 * ownca_privatekey_passphrase, ownca_digest, ownca_not_before/_after (as selfsigned's),
 * ownca_create_subject_key_identifier, ownca_create_authority_key_identifier, force, backup,
 * return_content, mode, owner, group. Refused with a message: *_content of private keys and of the
 * CA certificate, absolute validity times, versions other than 3.
 *
 * Returns: changed, filename, privatekey, csr, backup_file, certificate (return_content).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../types.js';
import { attrFields, attrVars, SH_ATTRS } from './attrs.js';
import { bool, int, str } from './args.js';
import { REMOVE_FILE, SH_DIR_CHECK, parseX509Text } from './openssl-support.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';

const SKI_CHOICES = ['create_if_not_provided', 'always_create', 'never_create'];
const schema = z
  .object({
    path: str,
    state: str.default('present'),
    provider: str.optional(),
    force: bool.default(false),
    csr_path: str.optional(),
    csr_content: str.optional(),
    ignore_timestamps: bool.default(true),
    select_crypto_backend: str.default('auto'),
    privatekey_path: str.optional(),
    privatekey_content: str.optional(),
    privatekey_passphrase: str.optional(),
    selfsigned_version: int.default(3),
    selfsigned_digest: str.default('sha256'),
    selfsigned_not_before: str.optional(),
    selfsigned_notBefore: str.optional(),
    selfsigned_not_after: str.optional(),
    selfsigned_notAfter: str.optional(),
    selfsigned_create_subject_key_identifier: str.default('create_if_not_provided'),
    ownca_path: str.optional(),
    ownca_content: str.optional(),
    ownca_privatekey_path: str.optional(),
    ownca_privatekey_content: str.optional(),
    ownca_privatekey_passphrase: str.optional(),
    ownca_digest: str.default('sha256'),
    ownca_version: int.default(3),
    ownca_not_before: str.default('+0s'),
    ownca_not_after: str.default('+3650d'),
    ownca_create_subject_key_identifier: str.default('create_if_not_provided'),
    ownca_create_authority_key_identifier: bool.default(true),
    backup: bool.default(false),
    return_content: bool.default(false),
    ...attrFields,
  })
  // The acme and entrust providers' many options are accepted (and those providers refused).
  .passthrough();
type Args = z.infer<typeof schema>;

/** Read what the checks need; stdin: the private key's passphrase line, then the CA key's. */
const INSPECT = String.raw`
IFS= read -r pp; IFS= read -r cpp
t=$(mktemp -d) || fail 'cannot create a temporary directory'
trap 'rm -rf "$t"' EXIT
[ -z "$a_csrcontent" ] || printf '%s\n' "$a_csrcontent" > "$t/csr"
csr=${'$'}{a_csrcontent:+$t/csr}; csr=${'$'}{csr:-$a_csr}
# The backends' own checks, before anything else.
[ -z "$a_csr" ] || [ -e "$a_csr" ] || fail "The certificate signing request file $a_csr does not exist"
if [ -n "$a_ca" ]; then
  [ -e "$a_ca" ] || fail "The CA certificate file $a_ca does not exist"
  [ -e "$a_cakey" ] || fail "The CA private key file $a_cakey does not exist"
else [ -z "$a_key" ] || [ -e "$a_key" ] || fail "The private key file $a_key does not exist"; fi
ex=false; load=false; csrok=false; caok=false
for f in cert certpub keypub csrtxt catxt capub; do : > "$t/$f"; done
if [ -e "$a_path" ]; then
  ex=true
  if openssl x509 -in "$a_path" -noout -text > "$t/cert" 2>/dev/null; then
    load=true
    openssl x509 -in "$a_path" -noout -pubkey | openssl pkey -pubin -outform DER | base64 | tr -d '\n' > "$t/certpub"
    [ -n "$a_key" ] && printf '%s\n' "$pp" | openssl pkey -in "$a_key" -passin stdin -pubout -outform DER 2>/dev/null | base64 | tr -d '\n' > "$t/keypub"
    if [ -n "$csr" ]; then
      openssl req -in "$csr" -noout -verify > /dev/null 2>&1 && csrok=true
      openssl req -in "$csr" -noout -text > "$t/csrtxt" 2>/dev/null
    fi
    if [ -n "$a_ca" ]; then
      openssl x509 -in "$a_ca" -noout -text > "$t/catxt" 2>/dev/null
      openssl x509 -in "$a_ca" -noout -pubkey 2>/dev/null | openssl pkey -pubin -outform DER 2>/dev/null | base64 | tr -d '\n' > "$t/capub"
      openssl verify -no_check_time -partial_chain -ignore_critical -CAfile "$a_ca" "$a_path" > /dev/null 2>&1 && caok=true
    fi
  fi
fi
for f in cert certpub keypub csrtxt catxt capub; do blob "$f" "$t/$f"; done
emit "\"exists\":$ex,\"loads\":$load,\"csr_verifies\":$csrok,\"ca_signed\":$caok"
`;

/** Make the certificate (when asked), write it over the old one keeping its mode and owner, then the attributes. */
const WRITE = String.raw`
IFS= read -r pp; IFS= read -r cpp
t=$(mktemp -d) || fail 'cannot create a temporary directory'
trap 'rm -rf "$t"' EXIT
umask 077
[ -z "$a_csrcontent" ] || printf '%s\n' "$a_csrcontent" > "$t/csr"
csr=${'$'}{a_csrcontent:+$t/csr}; csr=${'$'}{csr:-$a_csr}
ch=; bk=
[ -n "$a_make" ] && ch=1
if [ -n "$a_make" ] && [ -z "$a_check" ]; then
  [ -e "$csr" ] || fail "Error while reading CSR file from disk: [Errno 2] No such file or directory: '$csr'"
  printf '%s' "$a_ext" > "$t/ext"
  if [ -n "$a_ca" ]; then
    [ -e "$a_cakey" ] || fail "Error while reading private key file from disk: [Errno 2] No such file or directory: '$a_cakey'"
    printf '%s\n' "$cpp" | openssl pkey -in "$a_cakey" -passin stdin -out "$t/cakey" 2> "$t/err" || fail "Error while loading private key: $(head -n 1 "$t/err")"
    openssl x509 -req -in "$csr" -CA "$a_ca" -CAkey "$t/cakey" -days "$a_days" "-$a_digest" -copy_extensions copy -extfile "$t/ext" -extensions ext -out "$t/new" 2> "$t/err" || fail "$(head -n 3 "$t/err")"
  else
    [ -e "$a_key" ] || fail "Error while reading private key file from disk: [Errno 2] No such file or directory: '$a_key'"
    printf '%s\n' "$pp" | openssl pkey -in "$a_key" -passin stdin -out "$t/key" 2> "$t/err" || fail "Error while loading private key: $(head -n 1 "$t/err")"
    openssl x509 -req -in "$csr" -key "$t/key" -days "$a_days" "-$a_digest" -copy_extensions copy -extfile "$t/ext" -extensions ext -out "$t/new" 2> "$t/err" || fail "$(head -n 3 "$t/err")"
  fi
  if [ -n "$a_backup" ] && [ -e "$a_path" ]; then bk="$a_path.$$.$(date +%Y-%m-%d@%H:%M:%S~)"; cp -p -- "$a_path" "$bk" || fail "Could not make a backup of $a_path"; fi
  tmp=$(mktemp "$a_path.XXXXXX") || fail "cannot write in $(dirname -- "$a_path")"
  cat "$t/new" > "$tmp"
  if [ -e "$a_path" ]; then chmod --reference="$a_path" "$tmp"; chown --reference="$a_path" "$tmp" 2>/dev/null
  else chmod 644 "$tmp"; fi
  mv -f -- "$tmp" "$a_path" || { rm -f -- "$tmp"; fail "could not write $a_path"; }
fi
if [ ! -e "$a_path" ]; then [ -n "$a_check" ] && ch=1
else attrs "$a_path" 0; fi
: > "$t/pem"; [ -n "$a_return" ] && [ -e "$a_path" ] && cat "$a_path" > "$t/pem"
jsv "$bk"; b=$_j
blob pem "$t/pem"
emit "\"changed\":$( [ -n "$ch" ] && printf true || printf false ),\"backup_file\":$b"
`;

/** The Subject Key Identifier's "hash" method: SHA-1 of the subjectPublicKey bits of an SPKI (DER). */
export function keyIdentifier(spki: Buffer): string {
  let i = 0;
  const len = (): number => {
    const b = spki[i++]!;
    if (b < 0x80) return b;
    let n = 0;
    for (let k = 0; k < (b & 0x7f); k++) n = (n << 8) | spki[i++]!;
    return n;
  };
  i++; // SEQUENCE
  len();
  i++; // AlgorithmIdentifier SEQUENCE: skipped whole (its length read first: len() moves i)
  const algLen = len();
  i += algLen;
  i++; // BIT STRING
  const n = len();
  const bits = spki.subarray(i + 1, i + n); // without the unused-bits byte
  return createHash('sha1').update(bits).digest('hex').toUpperCase().match(/../g)!.join(':');
}

/** "+Nd" / "+Nw" (and "+0s" for not_before) in whole days; undefined for what philote cannot give openssl x509. */
function days(spec: string): number | undefined {
  const m = /^\+(\d+)([dw])$/.exec(spec.trim());
  return m ? Number(m[1]) * (m[2] === 'w' ? 7 : 1) : undefined;
}

const SKI = 'X509v3 Subject Key Identifier';
const AKI = 'X509v3 Authority Key Identifier';

export const x509CertificateModule: ModuleDefinition<Args> = {
  name: 'x509_certificate',
  aliases: ['community.crypto.x509_certificate'],
  runsOn: 'node',
  schema,
  async run(ctx: ModuleContext<Args>) {
    const a = ctx.args;
    const fail = (msg: string, extra: Record<string, unknown> = {}): ModuleResult => ({ failed: true, changed: false, msg, ...extra });
    if (!['present', 'absent'].includes(a.state)) return fail(`value of state must be one of: present, absent, got: ${a.state}`);
    if (a.csr_path !== undefined && a.csr_content !== undefined) return fail('parameters are mutually exclusive: csr_path|csr_content');
    const common = { a_path: a.path, a_check: ctx.checkMode, a_backup: a.backup };
    const names = { privatekey: a.privatekey_path ?? null, csr: a.csr_path ?? null };
    try {
      if (a.state === 'absent') {
        const r = await runNodeScript(ctx, shVars(common) + REMOVE_FILE);
        if (r.json['failed']) return fail(String(r.json['msg']));
        return { changed: r.json['changed'] === true, filename: a.path, ...names, ...(r.json['backup_file'] ? { backup_file: r.json['backup_file'] } : {}), ...(a.return_content ? { certificate: null } : {}) };
      }
      if (a.provider === undefined) return fail('state is present but all of the following are missing: provider');
      if (!['selfsigned', 'ownca', 'acme', 'entrust'].includes(a.provider)) return fail(`value of provider must be one of: acme, entrust, ownca, selfsigned, got: ${a.provider}`);
      if (a.provider === 'acme' || a.provider === 'entrust') return fail(`x509_certificate: provider ${a.provider} is not supported by philote yet`);
      const own = a.provider === 'ownca';
      for (const k of ['privatekey_content', 'ownca_content', 'ownca_privatekey_content'] as const) if (a[k] !== undefined) return fail(`x509_certificate: ${k} is not supported by philote yet (use the _path option)`);
      if (!own && a.privatekey_path === undefined) return fail('One of privatekey_path and privatekey_content must be specified for the selfsigned provider.');
      if (own && a.ownca_path === undefined) return fail('One of ownca_path and ownca_content must be specified for the ownca provider.');
      if (own && a.ownca_privatekey_path === undefined) return fail('One of ownca_privatekey_path and ownca_privatekey_content must be specified for the ownca provider.');
      if (a.csr_path === undefined && a.csr_content === undefined) return fail('x509_certificate: a request (csr_path or csr_content) is needed; philote does not make certificates without one yet');
      const notBefore = own ? a.ownca_not_before : (a.selfsigned_not_before ?? a.selfsigned_notBefore ?? '+0s');
      const notAfter = own ? a.ownca_not_after : (a.selfsigned_not_after ?? a.selfsigned_notAfter ?? '+3650d');
      const nDays = days(notAfter);
      if (!/^\+0+[smhdw]?$/.test(notBefore.trim()) || nDays === undefined) return fail('x509_certificate: philote supports not_before +0s and not_after in whole days or weeks (+3650d, +52w) only');
      if ((own ? a.ownca_version : a.selfsigned_version) !== 3) return fail('x509_certificate: philote makes version 3 certificates only');
      const skiMode = own ? a.ownca_create_subject_key_identifier : a.selfsigned_create_subject_key_identifier;
      if (!SKI_CHOICES.includes(skiMode)) return fail(`value of ${own ? 'ownca' : 'selfsigned'}_create_subject_key_identifier must be one of: ${SKI_CHOICES.join(', ')}, got: ${skiMode}`);
      const digest = own ? a.ownca_digest : a.selfsigned_digest;
      if (!/^[\w-]+$/.test(digest)) return fail(`Unsupported digest "${digest}"`);
      const akid = own && a.ownca_create_authority_key_identifier;
      const ext = `[ext]\n${skiMode !== 'never_create' ? 'subjectKeyIdentifier = hash\n' : ''}${akid ? 'authorityKeyIdentifier = keyid\n' : ''}`;
      const vars = shVars({ ...common, a_csr: a.csr_path, a_csrcontent: a.csr_content, a_key: a.privatekey_path, a_ca: own ? a.ownca_path : undefined, a_cakey: own ? a.ownca_privatekey_path : undefined });
      const stdin = `${a.privatekey_passphrase ?? ''}\n${a.ownca_privatekey_passphrase ?? ''}\n`;
      const dir = await runNodeScript(ctx, vars + SH_DIR_CHECK + INSPECT, stdin, { secret: true });
      if (dir.json['failed']) return fail(String(dir.json['msg']), dir.json['name'] ? { name: dir.json['name'] } : {});
      const text = (n: string) => (dir.blobs[n] ?? Buffer.alloc(0)).toString('utf8');
      const keep = (): boolean => {
        if (a.force || dir.json['exists'] !== true || dir.json['loads'] !== true || !a.ignore_timestamps) return false;
        const cert = parseX509Text(text('cert'));
        if (text('keypub') && text('keypub') !== text('certpub')) return false;
        const csrText = text('csrtxt');
        if (csrText) {
          const csr = parseX509Text(csrText);
          if (dir.json['csr_verifies'] !== true || csr.publicKey !== cert.publicKey) return false;
          if (JSON.stringify(csr.subject) !== JSON.stringify(cert.subject)) return false;
          const strip = (e: Record<string, string>) => Object.fromEntries(Object.entries(e).filter(([k]) => !(skiMode !== 'never_create' && k === SKI) && !(akid && k === AKI)).sort());
          if (JSON.stringify(strip(csr.extensions)) !== JSON.stringify(strip(cert.extensions))) return false;
          if (skiMode !== 'never_create') {
            const have = cert.extensions[SKI]?.split('|')[1];
            if (!have) return false;
            const fromCsr = skiMode === 'create_if_not_provided' ? csr.extensions[SKI]?.split('|')[1] : undefined;
            if (have !== (fromCsr ?? keyIdentifier(Buffer.from(text('certpub'), 'base64')))) return false;
          }
        }
        if (own) {
          const ca = parseX509Text(text('catxt'));
          if (dir.json['ca_signed'] !== true || JSON.stringify(ca.subject) !== JSON.stringify(cert.issuer)) return false;
          if (akid) {
            const caSki = ca.extensions[SKI]?.split('|')[1] ?? keyIdentifier(Buffer.from(text('capub'), 'base64'));
            if (cert.extensions[AKI]?.split('|')[1]?.replace(/^keyid:/, '') !== caSki) return false;
          }
        }
        return true;
      };
      const out = await runNodeScript(
        ctx,
        vars + shVars({ ...attrVars(a), a_make: !keep(), a_ext: ext, a_days: nDays, a_digest: digest, a_return: a.return_content }) + SH_ATTRS + WRITE,
        stdin,
        { secret: true },
      );
      if (out.json['failed']) return fail(String(out.json['msg']));
      const pem = (out.blobs['pem'] ?? Buffer.alloc(0)).toString('utf8');
      return {
        changed: out.json['changed'] === true,
        filename: a.path,
        ...names,
        ...(out.json['backup_file'] ? { backup_file: out.json['backup_file'] } : {}),
        ...(a.return_content ? { certificate: pem || null } : {}),
      };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};

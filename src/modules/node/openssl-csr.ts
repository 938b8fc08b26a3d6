/**
 * openssl_csr (community.crypto.openssl_csr): a certificate signing request made with the node's
 * `openssl req` from a private key on the node (privatekey_path) or given (privatekey_content,
 * sent on stdin), kept while it matches, as the collection decides it: the existing request must
 * be signed by that key and carry the same subject and extensions (compared as sets, critical
 * flags included) as the one the arguments ask for; force makes it again.
 *
 * Arguments: path, state present|absent, privatekey_path | privatekey_content,
 * privatekey_passphrase, digest (sha256), subject (dict) and country_name (C), state_or_province_name
 * (ST), locality_name (L), organization_name (O), organizational_unit_name (OU), common_name (CN),
 * email_address (E); subject_alt_name (DNS:, IP:, email:, URI:, RID:) with use_common_name_for_san
 * (default: DNS:<CN> when no SAN is given); key_usage, extended_key_usage, basic_constraints, each
 * with its _critical flag; ocsp_must_staple; create_subject_key_identifier; force, backup,
 * return_content, mode, owner, group. Refused with a message: subject_ordered, name constraints,
 * subject_key_identifier, authority key identifiers, crl_distribution_points.
 *
 * Returns as the module: changed, filename, privatekey, subject ([[key, value]]), subjectAltName,
 * keyUsage, extendedKeyUsage, basicConstraints, ocspMustStaple, name_constraints_permitted,
 * name_constraints_excluded, backup_file, csr (return_content). Check mode changes nothing.
 */
import { z } from 'zod';
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../types.js';
import { attrFields, attrVars, SH_ATTRS } from './attrs.js';
import { bool, int, str, strList } from './args.js';
import { REMOVE_FILE, SH_DIR_CHECK, cnfValue, extKeyUsageName, keyUsageName, parseX509Text, subjArg } from './openssl-support.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';

const anyList = z.union([z.string(), z.array(z.unknown())]);
export const csrSchema = z
  .object({
    path: str,
    state: str.default('present'),
    privatekey_path: str.optional(),
    privatekey_content: str.optional(),
    privatekey_passphrase: str.optional(),
    digest: str.default('sha256'),
    version: int.default(1),
    subject: z.record(z.string(), z.unknown()).optional(),
    subject_ordered: z.unknown().optional(),
    country_name: str.optional(), C: str.optional(), countryName: str.optional(),
    state_or_province_name: str.optional(), ST: str.optional(), stateOrProvinceName: str.optional(),
    locality_name: str.optional(), L: str.optional(), localityName: str.optional(),
    organization_name: str.optional(), O: str.optional(), organizationName: str.optional(),
    organizational_unit_name: str.optional(), OU: str.optional(), organizationalUnitName: str.optional(),
    common_name: str.optional(), CN: str.optional(), commonName: str.optional(),
    email_address: str.optional(), E: str.optional(), emailAddress: str.optional(),
    subject_alt_name: strList.optional(), subjectAltName: strList.optional(),
    subject_alt_name_critical: bool.optional(), subjectAltName_critical: bool.optional(),
    use_common_name_for_san: bool.optional(), useCommonNameForSAN: bool.optional(),
    key_usage: strList.optional(), keyUsage: strList.optional(),
    key_usage_critical: bool.optional(), keyUsage_critical: bool.optional(),
    extended_key_usage: strList.optional(), extKeyUsage: strList.optional(), extendedKeyUsage: strList.optional(),
    extended_key_usage_critical: bool.optional(), extKeyUsage_critical: bool.optional(), extendedKeyUsage_critical: bool.optional(),
    basic_constraints: strList.optional(), basicConstraints: strList.optional(),
    basic_constraints_critical: bool.optional(), basicConstraints_critical: bool.optional(),
    ocsp_must_staple: bool.optional(), ocspMustStaple: bool.optional(),
    ocsp_must_staple_critical: bool.optional(), ocspMustStaple_critical: bool.optional(),
    name_constraints_permitted: anyList.optional(),
    name_constraints_excluded: anyList.optional(),
    name_constraints_critical: bool.default(false),
    create_subject_key_identifier: bool.default(false),
    subject_key_identifier: str.optional(),
    authority_key_identifier: str.optional(),
    authority_cert_issuer: anyList.optional(),
    authority_cert_serial_number: int.optional(),
    crl_distribution_points: z.unknown().optional(),
    force: bool.default(false),
    backup: bool.default(false),
    return_content: bool.default(false),
    select_crypto_backend: str.default('auto'),
    ...attrFields,
  })
  .strict();
type Args = z.infer<typeof csrSchema>;
/** The arguments that describe the request (openssl_csr_pipe has these too). */
export type CsrRequestArgs = Omit<Args, 'path' | 'state' | 'force' | 'backup' | 'return_content' | keyof typeof attrFields>;

/**
 * `make_new`: load the key (stdin: passphrase line, then the key when given as content) and make
 * the request in $t/new. Only called when a request is compared or written: in check mode a
 * missing request is "changed" without reading the key, as in the module.
 */
export const MAKE_CSR = String.raw`
IFS= read -r pp
t=$(mktemp -d) || fail 'cannot create a temporary directory'
trap 'rm -rf "$t"' EXIT
umask 077
if [ -n "$a_keycontent" ]; then cat > "$t/in"; kin=$t/in; else kin=$a_key; fi
make_new() {
  [ -n "$a_keycontent" ] || [ -e "$kin" ] || fail "Error while reading private key file from disk: [Errno 2] No such file or directory: '$kin'"
  printf '%s\n' "$pp" | openssl pkey -in "$kin" -passin stdin -out "$t/key" 2> "$t/err" || fail "Error while loading private key: $(head -n 1 "$t/err")"
  printf '%s' "$a_cnf" > "$t/cnf"
  openssl req -new -utf8 -key "$t/key" -config "$t/cnf" -subj "$a_subj" "-$a_digest" -out "$t/new" 2> "$t/err" || fail "$(head -n 3 "$t/err")"
}
`;

const INSPECT = String.raw`
ex=false; ok=false; : > "$t/old"; : > "$t/newtxt"
if [ -e "$a_path" ]; then
  ex=true
  openssl req -in "$a_path" -noout -verify > /dev/null 2>&1 && { ok=true; openssl req -in "$a_path" -noout -text > "$t/old" 2>/dev/null; }
  [ -z "$a_force" ] && { make_new; openssl req -in "$t/new" -noout -text > "$t/newtxt"; }
fi
blob old "$t/old"; blob new "$t/newtxt"
emit "\"exists\":$ex,\"verifies\":$ok"
`;

/** Write the new request over the old one (keeping its mode and owner, as atomic_move), then the attributes. */
const WRITE = String.raw`
ch=; bk=
[ -n "$a_make" ] && ch=1
if [ -n "$a_make" ] && [ -z "$a_check" ]; then
  make_new
  if [ -n "$a_backup" ] && [ -e "$a_path" ]; then bk="$a_path.$$.$(date +%Y-%m-%d@%H:%M:%S~)"; cp -p -- "$a_path" "$bk" || fail "Could not make a backup of $a_path"; fi
  tmp=$(mktemp "$a_path.XXXXXX") || fail "cannot write in $(dirname -- "$a_path")"
  cat "$t/new" > "$tmp"
  if [ -e "$a_path" ]; then chmod --reference="$a_path" "$tmp"; chown --reference="$a_path" "$tmp" 2>/dev/null
  else chmod "$(printf '%o' $((0666 & ~0$a_umask)))" "$tmp"; fi
  mv -f -- "$tmp" "$a_path" || { rm -f -- "$tmp"; fail "could not write $a_path"; }
fi
if [ ! -e "$a_path" ]; then [ -n "$a_check" ] && ch=1
else attrs "$a_path" 0; fi
: > "$t/pem"; [ -n "$a_return" ] && [ -e "$a_path" ] && cat "$a_path" > "$t/pem"
jsv "$bk"; b=$_j
blob pem "$t/pem"
emit "\"changed\":$( [ -n "$ch" ] && printf true || printf false ),\"backup_file\":$b"
`;


/** The subject entries in the module's order: the named options, then `subject`'s (lists give one entry each). */
function subjectOf(a: CsrRequestArgs): [string, string][] {
  const named: [string, string | undefined][] = [
    ['C', a.country_name ?? a.C ?? a.countryName],
    ['ST', a.state_or_province_name ?? a.ST ?? a.stateOrProvinceName],
    ['L', a.locality_name ?? a.L ?? a.localityName],
    ['O', a.organization_name ?? a.O ?? a.organizationName],
    ['OU', a.organizational_unit_name ?? a.OU ?? a.organizationalUnitName],
    ['CN', a.common_name ?? a.CN ?? a.commonName],
    ['emailAddress', a.email_address ?? a.E ?? a.emailAddress],
  ];
  const out = named.filter((e): e is [string, string] => Boolean(e[1]));
  for (const [k, v] of Object.entries(a.subject ?? {})) {
    for (const item of Array.isArray(v) ? v : [v]) if (item !== null && item !== undefined && item !== '') out.push([k, String(item)]);
  }
  return out;
}

/** The extensions section of the request's openssl config, and the values the module returns. */
export function csrRequest(a: CsrRequestArgs): { cnf: string; returns: Record<string, unknown>; error?: string } {
  const subject = subjectOf(a);
  let san = a.subject_alt_name ?? a.subjectAltName;
  if (!san?.length && (a.use_common_name_for_san ?? a.useCommonNameForSAN ?? true)) {
    const cn = subject.find(([k]) => k === 'CN' || k === 'commonName');
    if (cn) san = [`DNS:${cn[1]}`];
  }
  const ku = a.key_usage ?? a.keyUsage;
  const eku = a.extended_key_usage ?? a.extKeyUsage ?? a.extendedKeyUsage;
  const bc = a.basic_constraints ?? a.basicConstraints;
  const staple = a.ocsp_must_staple ?? a.ocspMustStaple ?? false;
  const crit = (c: boolean | undefined) => (c ? 'critical,' : '');
  const lines: string[] = [];
  if (san?.length) lines.push(`subjectAltName = ${crit(a.subject_alt_name_critical ?? a.subjectAltName_critical)}${cnfValue(san.join(', '))}`);
  if (ku?.length) {
    const names = ku.map((n) => keyUsageName(n));
    const bad = ku.find((_, i) => !names[i]);
    if (bad !== undefined) return { cnf: '', returns: {}, error: `Unknown key usage '${bad}'` };
    lines.push(`keyUsage = ${crit(a.key_usage_critical ?? a.keyUsage_critical)}${names.join(', ')}`);
  }
  if (eku?.length) lines.push(`extendedKeyUsage = ${crit(a.extended_key_usage_critical ?? a.extKeyUsage_critical ?? a.extendedKeyUsage_critical)}${cnfValue(eku.map(extKeyUsageName).join(', '))}`);
  if (bc?.length) lines.push(`basicConstraints = ${crit(a.basic_constraints_critical ?? a.basicConstraints_critical)}${cnfValue(bc.join(', '))}`);
  if (staple) lines.push(`tlsfeature = ${crit(a.ocsp_must_staple_critical ?? a.ocspMustStaple_critical)}status_request`);
  if (a.create_subject_key_identifier) lines.push('subjectKeyIdentifier = hash');
  const cnf = `[req]\ndistinguished_name = dn\nreq_extensions = ext\nprompt = no\n[dn]\n[ext]\n${lines.join('\n')}\n`;
  return {
    cnf,
    returns: {
      subject,
      subjectAltName: san ?? null,
      keyUsage: ku ?? null,
      extendedKeyUsage: eku ?? null,
      basicConstraints: bc ?? null,
      ocspMustStaple: staple,
      name_constraints_permitted: null,
      name_constraints_excluded: null,
    },
  };
}

/** A request's subject, key and extensions as the module compares them. */
export function sameRequest(oldText: string, newText: string): boolean {
  const [o, n] = [parseX509Text(oldText), parseX509Text(newText)];
  return JSON.stringify([o.subject, o.publicKey, o.extensions]) === JSON.stringify([n.subject, n.publicKey, n.extensions]);
}

function refused(a: CsrRequestArgs): string | undefined {
  const names: (keyof CsrRequestArgs)[] = ['subject_ordered', 'name_constraints_permitted', 'name_constraints_excluded', 'subject_key_identifier', 'authority_key_identifier', 'authority_cert_issuer', 'authority_cert_serial_number', 'crl_distribution_points'];
  const given = names.find((n) => a[n] !== undefined);
  return given ? `openssl_csr: ${given} is not supported by philote yet` : undefined;
}

/** The module's argument checks, then the request's config; a string is the failure message. */
export function checkedRequest(a: CsrRequestArgs): string | ReturnType<typeof csrRequest> {
  if (a.privatekey_path !== undefined && a.privatekey_content !== undefined) return 'parameters are mutually exclusive: privatekey_path|privatekey_content';
  if (a.privatekey_path === undefined && a.privatekey_content === undefined) return 'one of the following is required: privatekey_path, privatekey_content';
  if (a.version !== 1) return `value of version must be one of: 1, got: ${a.version}`;
  const no = refused(a);
  if (no) return no;
  if (!/^[\w-]+$/.test(a.digest)) return `Unsupported digest ${a.digest}`;
  const req = csrRequest(a);
  return req.error ?? req;
}

/** What MAKE_CSR reads: the key (path, or content and passphrase on stdin), the config, the subject. */
export function requestInput(a: CsrRequestArgs): { stdin: string; vars: string } {
  const req = csrRequest(a);
  return {
    stdin: `${a.privatekey_passphrase ?? ''}\n${a.privatekey_content ?? ''}`,
    vars: shVars({ a_key: a.privatekey_path, a_keycontent: a.privatekey_content !== undefined, a_cnf: req.cnf, a_subj: subjArg(subjectOf(a)), a_digest: a.digest }),
  };
}

export const opensslCsrModule: ModuleDefinition<Args> = {
  name: 'openssl_csr',
  aliases: ['community.crypto.openssl_csr'],
  runsOn: 'node',
  schema: csrSchema,
  async run(ctx: ModuleContext<Args>) {
    const a = ctx.args;
    const fail = (msg: string, extra: Record<string, unknown> = {}): ModuleResult => ({ failed: true, changed: false, msg, ...extra });
    if (!['present', 'absent'].includes(a.state)) return fail(`value of state must be one of: absent, present, got: ${a.state}`);
    const req = checkedRequest(a);
    if (typeof req === 'string') return fail(req);
    const common = { a_path: a.path, a_check: ctx.checkMode, a_backup: a.backup };
    const { stdin, vars } = requestInput(a);
    const makeVars = shVars({ ...common, a_force: a.force }) + vars;
    const result = (extra: ModuleResult): ModuleResult => ({ ...extra, filename: a.path, privatekey: a.privatekey_path ?? null, ...req.returns });
    try {
      if (a.state === 'absent') {
        const r = await runNodeScript(ctx, shVars(common) + SH_DIR_CHECK + REMOVE_FILE);
        if (r.json['failed']) return fail(String(r.json['msg']), r.json['name'] ? { name: r.json['name'] } : {});
        return result({ changed: r.json['changed'] === true, ...(r.json['backup_file'] ? { backup_file: r.json['backup_file'] } : {}) });
      }
      const seen = await runNodeScript(ctx, makeVars + SH_DIR_CHECK + MAKE_CSR + INSPECT, stdin, { secret: true });
      if (seen.json['failed']) return fail(String(seen.json['msg']), seen.json['name'] ? { name: seen.json['name'] } : {});
      const text = (b: Buffer | undefined) => (b ?? Buffer.alloc(0)).toString('utf8');
      const keep = !a.force && seen.json['exists'] === true && seen.json['verifies'] === true && sameRequest(text(seen.blobs['old']), text(seen.blobs['new']));
      const out = await runNodeScript(
        ctx,
        makeVars + shVars({ ...attrVars(a), a_make: !keep, a_return: a.return_content, a_umask: '022' }) + SH_ATTRS + MAKE_CSR + WRITE,
        stdin,
        { secret: true },
      );
      if (out.json['failed']) return fail(String(out.json['msg']));
      const pem = text(out.blobs['pem']);
      return result({
        changed: out.json['changed'] === true,
        ...(out.json['backup_file'] ? { backup_file: out.json['backup_file'] } : {}),
        ...(a.return_content ? { csr: pem || null } : {}),
      });
    } catch (e) {
      return moduleFailure(e);
    }
  },
};

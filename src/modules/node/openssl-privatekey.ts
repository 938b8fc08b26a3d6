/**
 * openssl_privatekey (community.crypto.openssl_privatekey): a private key file made with the
 * node's `openssl genpkey`, kept while it matches, as the collection's module (cryptography
 * backend) decides it: regenerate never | fail | partial_idempotence | full_idempotence (default)
 * | always (force: always); a key it cannot read with the given passphrase (or that is encrypted
 * when none is given), of another type, size or curve, or (format_mismatch regenerate, format not
 * auto_ignore) in another format is made again; format_mismatch convert rewrites it instead.
 *
 * Arguments: path (required), state present|absent, type RSA (default) | DSA | ECC | Ed25519 |
 * Ed448 | X25519 | X448, size (4096), curve (ECC), passphrase with cipher auto (the key is
 * encrypted with AES-256-CBC; the passphrase travels on stdin), format auto_ignore | auto | pkcs1
 * | pkcs8 (auto: pkcs1, "traditional", for RSA, DSA and ECC; pkcs8 for the others), backup,
 * return_content, mode (0600 when not given, also for an existing file), owner, group.
 * format raw is refused with a message.
 *
 * Returns: changed, filename, type and size (as asked, like the module), curve (ECC),
 * fingerprint (every hashlib digest of the public key's DER, computed on the controller),
 * backup_file, privatekey (return_content). Check mode changes nothing; no --diff output.
 */
import { z } from 'zod';
import type { ModuleDefinition, ModuleResult } from '../types.js';
import { attrFields, attrVars, SH_ATTRS } from './attrs.js';
import { bool, int, str } from './args.js';
import { CURVES, REMOVE_FILE, SH_DIR_CHECK, fingerprints, keyKind } from './openssl-support.js';
import { moduleFailure, q, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    path: str,
    state: str.default('present'),
    force: bool.default(false),
    backup: bool.default(false),
    return_content: bool.default(false),
    size: int.default(4096),
    type: str.default('RSA'),
    curve: str.optional(),
    passphrase: str.optional(),
    cipher: str.optional(),
    format: str.default('auto_ignore'),
    format_mismatch: str.default('regenerate'),
    select_crypto_backend: str.default('auto'),
    regenerate: str.default('full_idempotence'),
    ...attrFields,
  })
  .strict();
type Args = z.infer<typeof schema>;

const CHOICES: [keyof Args, string[]][] = [
  ['state', ['present', 'absent']],
  ['type', ['DSA', 'ECC', 'Ed25519', 'Ed448', 'RSA', 'X25519', 'X448']],
  ['curve', Object.keys(CURVES)],
  ['format', ['pkcs1', 'pkcs8', 'raw', 'auto', 'auto_ignore']],
  ['format_mismatch', ['regenerate', 'convert']],
  ['select_crypto_backend', ['auto', 'cryptography']],
  ['regenerate', ['never', 'fail', 'partial_idempotence', 'full_idempotence', 'always']],
];

/** Read the existing key: is it there, encrypted, readable with the passphrase (stdin), its public half. */
const INSPECT = String.raw`
pp=$(cat)
t=$(mktemp -d) || fail 'cannot create a temporary directory'
trap 'rm -rf "$t"' EXIT
ex=false; enc=false; load=false; fmt=raw
: > "$t/der"; : > "$t/txt"
if [ -e "$a_path" ]; then
  ex=true
  case $(head -n 1 "$a_path" 2>/dev/null) in
    '-----BEGIN PRIVATE KEY-----'*|'-----BEGIN ENCRYPTED PRIVATE KEY-----'*) fmt=pkcs8 ;;
    '-----BEGIN '*' PRIVATE KEY-----'*) fmt=pkcs1 ;;
  esac
  head -n 3 "$a_path" 2>/dev/null | grep -q ENCRYPTED && enc=true
  if printf '%s\n' "$pp" | openssl pkey -in "$a_path" -passin stdin -pubout -outform DER > "$t/bin" 2>/dev/null; then
    load=true
    openssl pkey -pubin -inform DER -in "$t/bin" -text_pub -noout > "$t/txt" 2>/dev/null
    base64 < "$t/bin" | tr -d '\n' > "$t/der"
  fi
fi
blob txt "$t/txt"; blob der "$t/der"
emit "\"exists\":$ex,\"encrypted\":$enc,\"loads\":$load,\"format\":\"$fmt\""
`;

/** Make (or convert) the key into a temporary file beside it, then rename; apply mode/owner/group. */
const APPLY = String.raw`
pp=$(cat)
umask 077
t=$(mktemp -d) || fail 'cannot create a temporary directory'
trap 'rm -rf "$t"' EXIT
ch=; bk=
[ -n "$a_make" ] && ch=1
if [ -n "$a_make" ] && [ -z "$a_check" ]; then
  if [ -n "$a_backup" ] && [ -e "$a_path" ]; then
    bk="$a_path.$$.$(date +%Y-%m-%d@%H:%M:%S~)"; cp -p -- "$a_path" "$bk" || fail "Could not make a backup of $a_path"
  fi
  if [ "$a_make" = convert ]; then
    printf '%s\n' "$pp" | openssl pkey -in "$a_path" -passin stdin -out "$t/raw" 2> "$t/err" || fail "$(cat "$t/err")"
  elif [ "$a_type" = DSA ]; then
    { openssl genpkey -genparam -algorithm DSA -pkeyopt "dsa_paramgen_bits:$a_size" -out "$t/par" && openssl genpkey -paramfile "$t/par" -out "$t/raw"; } 2> "$t/err" || fail "$(cat "$t/err")"
  else
    eval "openssl genpkey $a_gen -out \"\$t/raw\"" 2> "$t/err" || fail "$(cat "$t/err")"
  fi
  # The passphrase is the first line of stdin for -passout (and again for -passin when converting).
  if [ -n "$a_encrypt" ]; then printf '%s\n' "$pp" | openssl pkey -in "$t/raw" $a_fmtflag -aes256 -passout stdin -out "$t/key" 2> "$t/err"
  else openssl pkey -in "$t/raw" $a_fmtflag -out "$t/key" 2> "$t/err"; fi || fail "$(cat "$t/err")"
  tmp=$(mktemp "$a_path.XXXXXX") || fail "cannot write in $(dirname -- "$a_path")"
  cat "$t/key" > "$tmp" && chmod 600 "$tmp" && mv -f -- "$tmp" "$a_path" || { rm -f -- "$tmp"; fail "could not write $a_path"; }
fi
if [ ! -e "$a_path" ]; then [ -n "$a_check" ] && ch=1
else attrs "$a_path" 0; fi
: > "$t/der"
# Binary travels as base64: the script's stdout is read as text.
[ -e "$a_path" ] && printf '%s\n' "$pp" | openssl pkey -in "$a_path" -passin stdin -pubout -outform DER 2>/dev/null | base64 | tr -d '\n' > "$t/der"
: > "$t/pem"; [ -n "$a_return" ] && [ -e "$a_path" ] && cat "$a_path" > "$t/pem"
jsv "$bk"; b=$_j
blob der "$t/der"; blob pem "$t/pem"
emit "\"changed\":$( [ -n "$ch" ] && printf true || printf false ),\"backup_file\":$b"
`;

export const opensslPrivatekeyModule: ModuleDefinition<Args> = {
  name: 'openssl_privatekey',
  aliases: ['community.crypto.openssl_privatekey'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const fail = (msg: string, extra: Record<string, unknown> = {}): ModuleResult => ({ failed: true, changed: false, msg, ...extra });
    for (const [k, list] of CHOICES) {
      const v = a[k];
      if (v !== undefined && !list.includes(String(v))) return fail(`value of ${k} must be one of: ${list.join(', ')}, got: ${String(v)}`);
    }
    if ((a.cipher === undefined) !== (a.passphrase === undefined)) return fail('parameters are required together: cipher, passphrase');
    if (a.type === 'ECC' && a.curve === undefined) return fail('type is ECC but all of the following are missing: curve');
    if (a.format === 'raw') return fail('openssl_privatekey: format raw is not supported by philote yet');
    const secretIn = `${a.passphrase ?? ''}\n`;
    const common = { a_path: a.path, a_check: ctx.checkMode, a_backup: a.backup };
    const result = (extra: ModuleResult): ModuleResult => ({
      ...extra,
      filename: a.path,
      type: a.type,
      size: a.size,
      ...(a.type === 'ECC' ? { curve: a.curve } : {}),
    });
    try {
      if (a.cipher !== undefined && a.cipher !== 'auto') return fail('Cryptography backend can only use "auto" for cipher option.');
      if (a.state === 'absent') {
        const r = await runNodeScript(ctx, shVars(common) + SH_DIR_CHECK + REMOVE_FILE);
        if (r.json['failed']) return fail(String(r.json['msg']), r.json['name'] ? { name: r.json['name'] } : {});
        return result({ changed: r.json['changed'] === true, fingerprint: null, ...(r.json['backup_file'] ? { backup_file: r.json['backup_file'] } : {}) });
      }
      const seen = await runNodeScript(ctx, shVars(common) + SH_DIR_CHECK + INSPECT, secretIn, { secret: true });
      if (seen.json['failed']) return fail(String(seen.json['msg']), seen.json['name'] ? { name: seen.json['name'] } : {});
      const kind = keyKind((seen.blobs['txt'] ?? Buffer.alloc(0)).toString('utf8'));
      const regenerate = a.force ? 'always' : a.regenerate;
      const wanted = ['Ed25519', 'Ed448', 'X25519', 'X448'].includes(a.type) ? 'pkcs8' : a.format === 'pkcs8' ? 'pkcs8' : a.format === 'pkcs1' ? 'pkcs1' : ['auto', 'auto_ignore'].includes(a.format) ? 'pkcs1' : a.format;
      let make: '' | 'generate' | 'convert' = '';
      if (regenerate === 'always' || seen.json['exists'] !== true) make = 'generate';
      else {
        const passOk = seen.json['loads'] === true && (seen.json['encrypted'] === true) === (a.passphrase !== undefined);
        const sizeTypeOk = kind.type === a.type && (['RSA', 'DSA'].includes(a.type) ? kind.size === a.size : a.type === 'ECC' ? kind.curve === a.curve : true);
        const formatOk = a.format === 'auto_ignore' || seen.json['format'] === wanted;
        const retry = ' Will not proceed. To force regeneration, call the module with `generate` set to ';
        if (!passOk) {
          if (regenerate !== 'full_idempotence') return fail(`Unable to read the key. The key is protected with a another passphrase / no passphrase or broken.${retry}\`full_idempotence\` or \`always\`, or with \`force=true\`.`);
          make = 'generate';
        } else if (regenerate !== 'never' && !sizeTypeOk) {
          if (regenerate === 'fail') return fail(`Key has wrong type and/or size.${retry}\`partial_idempotence\`, \`full_idempotence\` or \`always\`, or with \`force=true\`.`);
          make = 'generate';
        } else if (a.format_mismatch === 'regenerate' && regenerate !== 'never' && !formatOk) {
          if (regenerate === 'fail') return fail(`Key has wrong format.${retry}\`partial_idempotence\`, \`full_idempotence\` or \`always\`, or with \`force=true\`. To convert the key, set \`format_mismatch\` to \`convert\`.`);
          make = 'generate';
        } else if (a.format_mismatch === 'convert' && !formatOk) make = 'convert';
      }
      const gen =
        a.type === 'RSA' ? `-algorithm RSA -pkeyopt rsa_keygen_bits:${a.size}` : a.type === 'ECC' ? `-algorithm EC -pkeyopt ec_paramgen_curve:${q(CURVES[a.curve!]!)} -pkeyopt ec_param_enc:named_curve` : `-algorithm ${a.type.toUpperCase()}`;
      const out = await runNodeScript(
        ctx,
        shVars({
          ...common,
          ...attrVars({ ...a, mode: a.mode ?? '0600' }),
          a_make: make,
          a_type: a.type,
          a_size: a.size,
          a_gen: gen,
          a_fmtflag: wanted === 'pkcs1' ? '-traditional' : '',
          a_encrypt: a.passphrase !== undefined,
          a_return: a.return_content,
        }) +
          SH_ATTRS +
          APPLY,
        secretIn,
        { secret: true },
      );
      if (out.json['failed']) return fail(String(out.json['msg']));
      const der = Buffer.from((out.blobs['der'] ?? Buffer.alloc(0)).toString('utf8'), 'base64');
      // In check mode the key that would be made does not exist: the module then reports the old one's.
      const fp = der.length ? fingerprints(der) : null;
      const pem = (out.blobs['pem'] ?? Buffer.alloc(0)).toString('utf8');
      return result({
        changed: out.json['changed'] === true,
        fingerprint: fp,
        ...(out.json['backup_file'] ? { backup_file: out.json['backup_file'] } : {}),
        ...(a.return_content ? { privatekey: pem || null } : {}),
      });
    } catch (e) {
      return moduleFailure(e);
    }
  },
};

/**
 * pip: Python packages with the node's pip (ansible.builtin.pip).
 *
 * Arguments: name (list; 'pkg', 'pkg==1.0', 'pkg>=2') or requirements (a file on the node);
 * version; state present | latest | absent | forcereinstall; virtualenv (made with
 * virtualenv_command, default `virtualenv`, when it has no bin/activate; virtualenv_site_packages,
 * virtualenv_python); executable (a pip program); extra_args; chdir; editable; umask.
 *
 * As Ansible's module: the command is `pip install|uninstall -y|install -U ...` run in chdir
 * with the venv's bin first in PATH; changed when pip says "Successfully installed" /
 * "Successfully uninstalled" (or when the venv was made). Check mode looks at `pip freeze`
 * (changed when extra_args, requirements or latest are given, as Ansible). Returns cmd, name,
 * version, state, requirements, virtualenv, stdout, stderr.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, str, strList } from './args.js';
import { moduleFailure, q, runNodeScript, shVars } from './script.js';
import { shlexSplit } from '../../values/shlex.js';

const schema = z
  .object({
    name: strList.optional(),
    version: str.optional(),
    requirements: str.optional(),
    virtualenv: str.optional(),
    virtualenv_site_packages: bool.default(false),
    virtualenv_command: str.default('virtualenv'),
    virtualenv_python: str.optional(),
    state: z.enum(['present', 'latest', 'absent', 'forcereinstall']).default('present'),
    extra_args: str.optional(),
    editable: bool.default(false),
    chdir: str.optional(),
    executable: str.optional(),
    umask: str.optional(),
  })
  .strict()
  .refine((a) => (a.name !== undefined) !== (a.requirements !== undefined), { message: 'one of the following is required: name, requirements (and not both)' })
  .refine((a) => !(a.executable && a.virtualenv), { message: 'parameters are mutually exclusive: executable|virtualenv' });
type Args = z.infer<typeof schema>;

const STATE_ARGS: Record<Args['state'], string[]> = { present: ['install'], latest: ['install', '-U'], absent: ['uninstall', '-y'], forcereinstall: ['install', '-U', '--force-reinstall'] };

/** PEP 503 name normalization, as pip compares names. */
const norm = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, '-');

const SCRIPT = String.raw`
out=; err=; made=
[ -n "$umask" ] && umask "$umask"
cd "$chdir" 2>/dev/null || cd /tmp
if [ -n "$venv" ] && [ ! -e "$venv/bin/activate" ]; then
  made=1
  if [ -z "$a_check" ]; then
    eo=$(mktemp); ee=$(mktemp)
    eval "$venv_cmd" '"$venv"' > "$eo" 2> "$ee" || { e=$(cat "$ee" "$eo"); rm -f "$eo" "$ee"; fail "Failed to create the virtualenv $venv: $e"; }
    out=$(cat "$eo"); err=$(cat "$ee"); rm -f "$eo" "$ee"
  fi
fi
if [ -n "$venv" ]; then PATH="$venv/bin:$PATH"; export PATH; pip=$venv/bin/pip3; [ -x "$pip" ] || pip=$venv/bin/pip
elif [ -n "$exe" ]; then pip=$(command -v "$exe") || pip=$exe
else pip=$(command -v pip3 || command -v pip) || fail "Unable to find any of pip3 to use.  pip needs to be installed."; fi
[ -z "$made" ] || [ -z "$a_check" ] || [ -x "$pip" ] || { printf '{"changed":true}\n'; exit 0; }
if [ -n "$a_check" ]; then
  f=$("$pip" freeze 2>/dev/null)
  jsv "$pip"; pj=$_j; jsv "$f"
  printf '{"check":true,"pip":%s,"freeze":%s}\n' "$pj" "$_j"; exit 0
fi
eo=$(mktemp); ee=$(mktemp)
eval '"$pip"' "$pip_args" > "$eo" 2> "$ee"; rc=$?
o=$(cat "$eo"); e=$(cat "$ee"); rm -f "$eo" "$ee"
out="$out$o"; err="$err$e"
jsv "$pip"; pj=$_j; jsv "$out"; oj=$_j; jsv "$err"
printf '{"rc":%s,"pip":%s,"stdout":%s,"stderr":%s,"made":%s}\n' "$rc" "$pj" "$oj" "$_j" "$( [ -n "$made" ] && printf true || printf false )"
`;

export const pipModule: ModuleDefinition<Args> = {
  name: 'pip',
  aliases: ['ansible.builtin.pip', 'ansible.legacy.pip'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    if (a.state === 'latest' && a.version !== undefined) return { failed: true, changed: false, msg: 'version is incompatible with state=latest' };
    const venv = a.virtualenv && a.chdir && !a.virtualenv.startsWith('/') ? `${a.chdir}/${a.virtualenv}` : a.virtualenv;
    let packages = a.name ?? [];
    if (a.version !== undefined) {
      if (packages.length > 1) return { failed: true, changed: false, msg: "'version' argument is ambiguous when installing multiple package distributions. Please specify version restrictions next to each package in 'name' argument." };
      if (/[<>=!~]/.test(packages[0] ?? '')) return { failed: true, changed: false, msg: "The 'version' argument conflicts with any version specifier provided along with a package name. Please keep the version specifier, but remove the 'version' argument." };
      packages = [`${packages[0]}==${a.version}`];
    }
    let extra = a.extra_args ? shlexSplit(a.extra_args) : [];
    if (a.editable && !extra.includes('-e')) extra = [...extra, '-e'];
    const args = [...STATE_ARGS[a.state], ...extra, ...(packages.length ? packages : ['-r', a.requirements!])];
    const venvCmd = [a.virtualenv_command, ...(a.virtualenv_site_packages ? ['--system-site-packages'] : []), ...(a.virtualenv_python && !/venv/.test(a.virtualenv_command) ? ['-p', a.virtualenv_python] : [])].join(' ');
    let out;
    try {
      out = await runNodeScript(ctx, shVars({ venv, exe: a.executable, chdir: a.chdir ?? '/tmp', umask: a.umask, venv_cmd: venvCmd, pip_args: args.map(q).join(' '), a_check: ctx.checkMode }) + SCRIPT);
    } catch (e) {
      return moduleFailure(e);
    }
    const j = out.json;
    if (j['failed']) return { failed: true, changed: false, msg: String(j['msg']) };
    if (j['check'] || ctx.checkMode) {
      if (j['changed'] !== undefined || a.extra_args || a.requirements || a.state === 'latest' || !a.name) return { changed: true };
      const freeze = String(j['freeze'] ?? '')
        .split('\n')
        .filter((l) => l && !l.startsWith('You are using') && !l.startsWith('You should consider'));
      const installed = new Map(freeze.map((l) => l.split('==')).filter((p) => p.length === 2).map(([n, v]) => [norm(n!), v!]));
      let changed = false;
      for (const p of packages) {
        const m = /^([A-Za-z0-9_.-]+)\s*(==\s*(\S+))?/.exec(p);
        const present = m !== null && installed.has(norm(m[1]!)) && (m[3] === undefined || installed.get(norm(m[1]!)) === m[3]);
        if ((a.state === 'present' && !present) || (a.state === 'absent' && present)) changed = true;
      }
      return { changed, cmd: `${String(j['pip'])} freeze`, stdout: String(j['freeze'] ?? ''), stderr: '' };
    }
    const stdout = String(j['stdout'] ?? '');
    const stderr = String(j['stderr'] ?? '');
    const cmd = [String(j['pip']), ...args];
    const rc = Number(j['rc']);
    if (rc !== 0 && !(rc === 1 && a.state === 'absent' && /not installed/.test(stdout + stderr))) {
      return { failed: true, changed: false, cmd: cmd.join(' '), msg: `stdout: ${stdout}\n\n:stderr: ${stderr}`, stdout, stderr };
    }
    const changed = (a.state === 'absent' ? /Successfully uninstalled/.test(stdout) : /Successfully installed/.test(stdout)) || j['made'] === true;
    return { changed, cmd, name: a.name ?? null, version: a.version ?? null, state: a.state, requirements: a.requirements ?? null, virtualenv: venv ?? null, stdout, stderr };
  },
};

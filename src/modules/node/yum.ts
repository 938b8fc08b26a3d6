/**
 * yum (ansible.builtin.yum): as Ansible's yum action plugin, picks the backend first: use_backend
 * (or use) when given, else the host's pkg_mgr fact, else what the node has (dnf, then yum). dnf
 * and yum4 run the dnf module's transaction (yumdnf.ts) with `dnf`; yum (yum3, EL7) the same with
 * `yum`, whose command line takes the same options. A node with neither fails with the action
 * plugin's words and reports its pkg_mgr fact (apt on Debian), as ansible-core does.
 */
import type { ModuleDefinition, ModuleResult } from '../types.js';
import { moduleFailure, runNodeScript } from './script.js';
import { checkYumDnfArgs, runYumDnf, yumdnfSchema, type YumDnfArgs } from './yumdnf.js';

const BACKENDS = new Set(['yum', 'yum4', 'dnf']);

/** ansible_pkg_mgr as the node's commands give it (the order the setup module looks in). */
const PKG_MGR = String.raw`
m=
for c in dnf yum apt-get apk zypper pacman; do command -v $c >/dev/null 2>&1 && { m=$c; break; }; done
[ "$m" = apt-get ] && m=apt
printf '{"pkg_mgr":"%s"}\n' "$m"
`;

export const yumModule: ModuleDefinition<YumDnfArgs> = {
  name: 'yum',
  aliases: ['ansible.builtin.yum', 'ansible.legacy.yum'],
  runsOn: 'node',
  schema: yumdnfSchema,
  async run(ctx) {
    const a = ctx.args;
    if (a.use !== undefined && a.use_backend !== undefined) {
      // An AnsibleActionFail: ansible-core's result carries an empty traceback, which the callback prints.
      return { failed: true, changed: false, msg: "parameters are mutually exclusive: ('use', 'use_backend')", exception: 'NoneType: None\n' };
    }
    let backend = a.use ?? a.use_backend ?? 'auto';
    const facts = ctx.vars['ansible_facts'];
    if (backend === 'auto' && facts && typeof facts === 'object' && 'pkg_mgr' in facts) backend = String((facts as Record<string, unknown>)['pkg_mgr']);
    const result: ModuleResult = {};
    if (!BACKENDS.has(backend)) {
      try {
        const out = await runNodeScript(ctx, PKG_MGR);
        const found = String(out.json['pkg_mgr'] ?? '');
        if (found) {
          backend = found;
          result.ansible_facts = { pkg_mgr: found };
        }
      } catch (e) {
        return moduleFailure(e);
      }
    }
    if (!BACKENDS.has(backend)) {
      // The action plugin's msg is a Python tuple: a two-item list in the result.
      const msg = [
        'Could not detect which major revision of yum is in use, which is required to determine module backend.',
        'You should manually specify use_backend to tell the module whether to use the yum (yum3) or dnf (yum4) backend})',
      ];
      return { ...result, failed: true, changed: false, ...({ msg } as unknown as { msg: string }) };
    }
    const args = { ...a };
    delete args.use;
    delete args.use_backend;
    const checked = checkYumDnfArgs(args);
    if (checked) return { ...result, ...checked };
    return { ...result, ...(await runYumDnf({ ...ctx, args }, backend === 'yum' ? 'yum' : 'dnf')) };
  },
};

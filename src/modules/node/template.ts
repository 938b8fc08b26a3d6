/**
 * template: render a Jinja2 template on the controller and write it like copy (ansible.builtin.template).
 *
 * Arguments:
 * - src (required): template file, found in the role's templates/, then the playbook's.  `src: config.yaml.j2`
 * - dest (required): path on the node (a directory receives basename(src) minus .j2).     `dest: /etc/rancher/k3s/config.yaml`
 * - mode / owner / group, backup, force, validate: as copy.                                `validate: 'sh -n %s'`
 * - newline_sequence: \n (default), \r\n or \r.
 * - variable_start_string, block_start_string, comment_start_string and their ends: custom delimiters.
 * - trim_blocks / lstrip_blocks: accepted; the engine uses Ansible's defaults.
 *
 * Variables available to the template: the task's vars plus ansible_managed ('Ansible managed'
 * unless set), template_host, template_path, template_fullpath, template_uid, template_run_date,
 * template_destpath.
 *
 * Returns: as copy (dest, checksum, md5sum, size, mode, owner, group, backup_file, diff).
 */
import { withStandardDelimiters } from '../../template/delimiters.js';
import { RuntimePluginLoadError } from '../../template/runtime/env.js';
import { UndefinedVariableError } from '../../errors.js';
import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { decryptIfVault } from '../../vault/index.js';
import { hostname, userInfo } from 'node:os';
import { basename, resolve as resolvePath } from 'node:path';
import { naiveLocal, PyDatetime } from '../../template/runtime/datetime.js';
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, str } from './args.js';
import { attrFields } from './attrs.js';
import { writeFile } from './write-file.js';

const schema = z
  .object({
    src: str,
    dest: str,
    backup: bool.default(false),
    force: bool.default(true),
    validate: str.optional(),
    newline_sequence: z.enum(['\n', '\r\n', '\r']).default('\n'),
    trim_blocks: bool.default(true),
    lstrip_blocks: bool.default(false),
    variable_start_string: str.optional(),
    variable_end_string: str.optional(),
    block_start_string: str.optional(),
    block_end_string: str.optional(),
    comment_start_string: str.optional(),
    comment_end_string: str.optional(),
    output_encoding: str.optional(),
    follow: bool.default(false),
    ...attrFields,
  })
  .strict();
type Args = z.infer<typeof schema>;

/** The name of the file's owner, or its uid when the system has no name for it (as pwd.getpwuid). */
function ownerName(file: string): string {
  const uid = statSync(file).uid;
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(uid));
    return line ? line.split(':')[0]! : String(uid);
  } catch {
    return uid === userInfo().uid ? userInfo().username : String(uid);
  }
}

export const templateModule: ModuleDefinition<Args> = {
  name: 'template',
  aliases: ['ansible.builtin.template', 'ansible.legacy.template'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const path = ctx.findFile('templates', a.src);
    if (!path) return { failed: true, changed: false, msg: `Could not find or access '${a.src}'` };
    let text: string;
    let mtime: Date;
    try {
      text = decryptIfVault(await readFile(path), path).toString('utf8');
      mtime = (await stat(path)).mtime;
    } catch {
      return { failed: true, changed: false, msg: `Could not find or access '${a.src}'` };
    }
    // generate_ansible_template_vars: run date and mtime are naive local datetimes, uid the file's owner.
    const naive = (d: Date) => new PyDatetime(naiveLocal(d));
    const extra = {
      template_host: hostname(),
      template_path: path,
      template_fullpath: resolvePath(path),
      template_destpath: a.dest,
      template_uid: ownerName(path),
      template_run_date: naive(new Date()),
      template_mtime: naive(mtime),
    };
    const vars = Object.create(ctx.vars) as Record<string, unknown>;
    Object.assign(vars, extra);
    if (!('ansible_managed' in ctx.vars)) vars['ansible_managed'] = 'Ansible managed';
    const source = withStandardDelimiters(text, {
      variableStart: a.variable_start_string,
      variableEnd: a.variable_end_string,
      blockStart: a.block_start_string,
      blockEnd: a.block_end_string,
      commentStart: a.comment_start_string,
      commentEnd: a.comment_end_string,
    });
    let out: string;
    try {
      out = ctx.templar.renderText(source, { vars, searchPaths: [path.replace(/\/[^/]*$/, '')] });
    } catch (e) {
      // The action plugin: AnsibleActionFail("%s: %s" % (type(e).__name__, e)).
      const cause = (e as { cause?: unknown }).cause;
      const cls = e instanceof UndefinedVariableError ? 'AnsibleUndefinedVariable' : cause instanceof RuntimePluginLoadError ? 'TemplateSyntaxError' : 'AnsibleError';
      const m = (e as Error).message;
      // AnsibleUndefinedVariable(e, orig_exc=e) repeats its cause.
      const msg = `${cls}: ${e instanceof UndefinedVariableError ? `${m}. ${m}` : m}`;
      // Only the traceback's last line is shown below -vvv: the exception's qualified name and message.
      const qualified = `${cls === 'TemplateSyntaxError' ? 'jinja2.exceptions' : 'ansible.errors'}.${msg}`;
      return { failed: true, changed: false, msg, exception: `Traceback (most recent call last):\n${qualified}\n` };
    }
    if (a.newline_sequence !== '\n') out = out.replace(/\n/g, a.newline_sequence);
    const res = await writeFile(ctx, {
      dest: a.dest,
      content: Buffer.from(out, 'utf8'),
      basename: basename(a.src).replace(/\.j2$/, ''),
      mode: a.mode === 'preserve' ? undefined : a.mode,
      owner: a.owner,
      group: a.group,
      backup: a.backup,
      force: a.force,
      validate: a.validate,
      afterHeader: path,
    });
    if (!res.failed) res['src'] = path;
    return res;
  },
};

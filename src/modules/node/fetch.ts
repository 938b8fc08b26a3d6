/**
 * fetch: copy a file from the node to the controller (ansible.builtin.fetch).
 *
 * Arguments:
 * - src: the file on the node.                                     `src: /etc/rancher/k3s/k3s.yaml`
 * - dest: a controller directory; the file lands in dest/<inventory_hostname>/<src path>,
 *   or, with flat, at dest itself (dest ending in "/" gets the file's basename).  `dest: backups/`
 * - flat (default false), fail_on_missing (default true), validate_checksum (default true).
 *
 * Returns: changed (the local copy was absent or different), checksum, remote_checksum, dest,
 * md5sum, file (src). Check mode writes nothing. The file is read in the same exec as its
 * checksum (base64 over the task's connection, as the task's become user): fine for the
 * config files and kubeconfigs this is used for, not meant for large files.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { atomicWriteLocal } from './local-write.js';
import { basename, dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, str } from './args.js';
import { argError, moduleFailure } from './script.js';
import { readNodeFile } from './slurp.js';

const schema = z
  .object({
    src: str,
    dest: str,
    flat: bool.default(false),
    fail_on_missing: bool.default(true),
    validate_checksum: bool.default(true),
  })
  .strict();
type Args = z.infer<typeof schema>;

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

export const fetchModule: ModuleDefinition<Args> = {
  name: 'fetch',
  aliases: ['ansible.builtin.fetch', 'ansible.legacy.fetch'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const { src, flat } = ctx.args;
    if (!src || !ctx.args.dest) throw argError('fetch: src and dest are required');
    // As Ansible's path_dwim: a relative dest is under the playbook's directory.
    const base = typeof ctx.vars['playbook_dir'] === 'string' ? ctx.vars['playbook_dir'] : process.cwd();
    let dest = isAbsolute(ctx.args.dest) ? ctx.args.dest : resolve(base, ctx.args.dest) + (ctx.args.dest.endsWith('/') ? '/' : '');
    if (flat) {
      if (dest.endsWith('/')) dest = join(dest, basename(src));
    } else {
      dest = join(dest, ctx.hostname, normalize('/' + src));
    }
    try {
      const r = await readNodeFile(ctx, src);
      if ('failed' in r) {
        const missing = r.failed.startsWith('file not found');
        const msg = missing ? 'the remote file does not exist, not transferring, ignored' : r.failed;
        return ctx.args.fail_on_missing || !missing ? { failed: true, changed: false, msg, file: src } : { changed: false, msg, file: src };
      }
      if (ctx.args.validate_checksum && sha1(r.data) !== r.sha1) {
        return { failed: true, changed: false, msg: 'checksum mismatch', file: src, dest, remote_checksum: r.sha1, checksum: sha1(r.data) };
      }
      const local = existsSync(dest) && statSync(dest).isFile() ? readFileSync(dest) : undefined;
      const changed = !local || sha1(local) !== r.sha1;
      if (changed && !ctx.checkMode) {
        mkdirSync(dirname(dest), { recursive: true });
        await atomicWriteLocal(dest, r.data, r.sha1);
      }
      return {
        changed,
        checksum: r.sha1,
        remote_checksum: r.sha1,
        dest,
        md5sum: createHash('md5').update(r.data).digest('hex'),
        remote_md5sum: null,
        file: src,
      };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};

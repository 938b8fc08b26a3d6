/**
 * Atomic write of a file on the controller (fetch's destination): a 0600 temp file in the
 * destination's directory, written and fsynced, its sha1 checked against what the node reported,
 * given the old file's mode (a new file: 0666 & ~umask, as a plain write), then renamed over the
 * destination. A killed controller leaves the old file (and at most a `.NAME.philote.*.tmp` beside
 * it); a reader never sees half a file.
 * Hand-written rather than write-file-atomic: the checksum check before the rename is the point,
 * and it is a dozen lines of fs/promises.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PhiloteError } from '../../errors.js';

export async function atomicWriteLocal(dest: string, data: Buffer, expectedSha1?: string): Promise<void> {
  const got = createHash('sha1').update(data).digest('hex');
  if (expectedSha1 && got !== expectedSha1) {
    throw new PhiloteError('connection', `the content for ${dest} arrived corrupted (sha1 ${got}, the node reported ${expectedSha1}); ${dest} was left as it was`);
  }
  const tmp = join(dirname(dest), `.${basename(dest)}.philote.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(data);
    // Ansible's fetch writes in place; a fetched kubeconfig or backup is worth one fsync.
    await fh.sync();
    const old = await stat(dest).catch(() => undefined);
    await fh.chmod(old ? old.mode & 0o7777 : 0o666 & ~process.umask());
    await fh.close();
    await rename(tmp, dest);
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
}

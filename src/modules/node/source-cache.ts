/**
 * The controller files copy sends, read once per run instead of once per host, and their digests
 * computed once per content. A 100 MB `src` copied to 8 nodes was read 8 times and hashed 24
 * times (sha1 twice and md5 once per host): ~6 s of controller CPU and 800 MB of memory for what
 * scp does with none. Hosts run at once, so the read itself is shared (its promise is kept).
 *
 * An entry is known by the file's path, inode, size and mtime: a file changed between hosts (a
 * task delegated to localhost rewrote it) is read again. Entries are kept up to CACHE_BYTES in
 * all, most recent first; a file larger than that is read per host as before.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { decryptIfVault } from '../../vault/index.js';

const CACHE_BYTES = 256 * 1024 * 1024;

interface Entry {
  key: string;
  content: Promise<Buffer>;
  size: number;
}

const entries: Entry[] = [];

/** The content of controller file `path` (vault-decrypted unless `decrypt` is false). */
export async function readSource(path: string, decrypt: boolean): Promise<Buffer> {
  const st = await stat(path);
  const load = async () => {
    const raw = await readFile(path);
    return decrypt ? decryptIfVault(raw, path) : raw;
  };
  if (st.size > CACHE_BYTES) return load();
  const key = `${decrypt ? 1 : 0}\0${st.dev}:${st.ino}\0${st.size}\0${st.mtimeMs}\0${path}`;
  const i = entries.findIndex((e) => e.key === key);
  if (i >= 0) {
    const [hit] = entries.splice(i, 1);
    entries.unshift(hit!);
    return hit!.content;
  }
  const entry: Entry = { key, content: load(), size: st.size };
  // A failed read is not remembered: the next host tries again and reports its own error.
  entry.content.catch(() => {
    const at = entries.indexOf(entry);
    if (at >= 0) entries.splice(at, 1);
  });
  entries.unshift(entry);
  let total = 0;
  for (let k = 0; k < entries.length; k++) {
    total += entries[k]!.size;
    if (total > CACHE_BYTES) {
      entries.length = k;
      break;
    }
  }
  return entry.content;
}

const digests = new WeakMap<Buffer, Map<string, string>>();

/** The hex digest of `content`, computed once per Buffer (a cached source is one Buffer for every host). */
export function digestOf(content: Buffer, algorithm: 'sha1' | 'md5'): string {
  let known = digests.get(content);
  if (!known) digests.set(content, (known = new Map()));
  let hex = known.get(algorithm);
  if (hex === undefined) {
    hex = createHash(algorithm).update(content).digest('hex');
    known.set(algorithm, hex);
  }
  return hex;
}

/**
 * The copy module's controller-side source cache (src/modules/node/source-cache.ts): one read and
 * one digest per file and content for all hosts of a run, and never stale content.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { digestOf, readSource } from '../../../src/modules/node/source-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'philote-source-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readSource', () => {
  it('reads a file once for many hosts at once: every host gets the same Buffer', async () => {
    const p = join(dir, 'big.bin');
    writeFileSync(p, Buffer.alloc(64 * 1024, 7));
    const all = await Promise.all(Array.from({ length: 8 }, () => readSource(p, true)));
    expect(all[0]!.length).toBe(64 * 1024);
    for (const b of all) expect(b).toBe(all[0]);
  });

  it('reads the file again once it changed, even at the same size', async () => {
    const p = join(dir, 'conf.txt');
    writeFileSync(p, 'aaaa\n');
    expect((await readSource(p, true)).toString()).toBe('aaaa\n');
    writeFileSync(p, 'bbbb\n');
    // A later mtime, as a task rewriting the file would leave it.
    utimesSync(p, new Date(), new Date(Date.now() + 5000));
    expect((await readSource(p, true)).toString()).toBe('bbbb\n');
  });

  it('keeps a failed read out of the cache: the file appearing later is read', async () => {
    const p = join(dir, 'later.txt');
    await expect(readSource(p, true)).rejects.toThrow();
    writeFileSync(p, 'now\n');
    expect((await readSource(p, true)).toString()).toBe('now\n');
  });
});

describe('digestOf', () => {
  it('gives the sha1 and md5 of the content', () => {
    const b = Buffer.from('hello\n');
    expect(digestOf(b, 'sha1')).toBe(createHash('sha1').update(b).digest('hex'));
    expect(digestOf(b, 'md5')).toBe(createHash('md5').update(b).digest('hex'));
    // Same Buffer, same answer; another Buffer with other bytes, its own.
    expect(digestOf(b, 'sha1')).toBe('f572d396fae9206628714fb2ce00f72e94f2258f');
    expect(digestOf(Buffer.from('bye\n'), 'sha1')).not.toBe(digestOf(b, 'sha1'));
  });
});

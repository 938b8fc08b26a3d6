/**
 * tempfile runs locally: the path it makes, and the path's owner, group, mode and size in the
 * result as ansible-core's exit_json adds them (add_path_info). Checked against ansible-playbook
 * by hand on 2026-12-07 (the random paths keep it out of the playbook conformance cases).
 */
import { rmSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { tempfileModule } from '../../../src/modules/node/tempfile.js';
import { runModule } from './helpers.js';

describe('tempfile', () => {
  it('returns the new path with its owner, group, mode and size', async () => {
    const d = await runModule(tempfileModule, { state: 'directory', suffix: '-phl-tempfile-test' });
    try {
      expect(d).toMatchObject({ changed: true, state: 'directory', owner: userInfo().username, uid: process.getuid?.(), mode: '0700' });
      expect(String(d['path'])).toMatch(/\/ansible\.[A-Za-z0-9]{8}-phl-tempfile-test$/);
      const f = await runModule(tempfileModule, { path: String(d['path']), prefix: 'f.' });
      expect(f).toMatchObject({ changed: true, state: 'file', mode: '0600', size: 0 });
      expect(f['size']).toBe(statSync(String(f['path'])).size);
    } finally {
      rmSync(String(d['path']), { recursive: true, force: true });
    }
  });
});

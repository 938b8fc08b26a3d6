import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { supportedMarkdown } from '../../scripts/supported.js';

describe('docs/supported.md', () => {
  it('lists exactly what the registries accept (rerun `npx tsx scripts/supported.ts` when it fails)', () => {
    const onDisk = readFileSync(new URL('../../docs/supported.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(supportedMarkdown());
    // A module a shipped playbook relies on must be listed.
    expect(onDisk).toContain('| `k3s_config` |');
  });
});

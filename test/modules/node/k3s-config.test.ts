import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { k3sConfigModule } from '../../../src/modules/node/k3s-config.js';
import { runModule, snapshot, tempDir } from './helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());

const CFG = `# managed by hand
write-kubeconfig-mode: "0644"
flannel-backend: none   # calico does networking
disable:
  - traefik
cluster-cidr: 10.42.0.0/16
`;

describe('k3s_config', () => {
  it('sets, removes, appends and discards keys, keeping comments and other keys', async () => {
    const p = join(t.dir, 'config.yaml');
    writeFileSync(p, CFG);
    const args = { path: p, set: { 'flannel-backend': 'vxlan', 'node-label': ['a=b'] }, remove: ['cluster-cidr'], append: { disable: ['servicelb'] }, discard: { disable: ['traefik'] } };
    const before = snapshot(t.dir);
    const c = await runModule(k3sConfigModule, args, { check: true, diff: true });
    expect(c.changed).toBe(true);
    expect(snapshot(t.dir)).toEqual(before);
    const r = await runModule(k3sConfigModule, args, { diff: true });
    expect(r.changed).toBe(true);
    const text = readFileSync(p, 'utf8');
    expect(text).toContain('# managed by hand');
    expect(text).toContain('write-kubeconfig-mode: "0644"');
    expect(text).not.toContain('cluster-cidr');
    expect(r['config']).toEqual({ 'write-kubeconfig-mode': '0644', 'flannel-backend': 'vxlan', disable: ['servicelb'], 'node-label': ['a=b'] });
    expect((r.diff as { after: string }).after).toBe(text);
    expect((await runModule(k3sConfigModule, args)).changed).toBe(false);
  });
  it('creates a missing file with mode 0600', async () => {
    const p = join(t.dir, 'd/new.yaml');
    const r = await runModule(k3sConfigModule, { path: p, set: { 'disable-network-policy': true } });
    expect(r.changed).toBe(true);
    expect(readFileSync(p, 'utf8')).toBe('disable-network-policy: true\n');
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect((await runModule(k3sConfigModule, { path: p, set: { 'disable-network-policy': true } })).changed).toBe(false);
  });
  it('rejects a key in both set and remove', async () => {
    await expect(runModule(k3sConfigModule, { path: join(t.dir, 'x.yaml'), set: { a: 1 }, remove: ['a'] })).rejects.toThrow(/'a' is both in set and in remove/);
    expect(existsSync(join(t.dir, 'x.yaml'))).toBe(false);
  });
});

// `philote job render` against the Kubernetes API simulator with kubectl (Debian's kubernetes-client):
// the rendered ConfigMap and Indexed Job are accepted, the simulator's Job controller makes one pod
// per slice with JOB_COMPLETION_INDEX, and each pod's command, run by a real `sh` with its index and
// the ConfigMap's files laid out as the volume would, runs its slice: merged, the slices equal the
// unsliced run. The simulator runs no containers, so the test plays the kubelet's part: it runs
// the pod's command with a stand-in `philote` that records its arguments, then runs those
// arguments through the CLI in-process. A broken Job is refused with the API server's message.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubectl, startSim, waitFor } from '../lab/kube-sim/helpers.js';
import { runCli } from '../helpers/cli.js';
import { comparableResult } from '../helpers/json-result.js';
import { tempDir } from '../helpers/temp-dir.js';

type Sim = Awaited<ReturnType<typeof startSim>>;
let sim: Sim;
beforeAll(async () => {
  sim = await startSim({ seed: 'k3s-calico' });
});
afterAll(() => sim?.close());

const INVENTORY = 'n1\nn2\nn3\nn4\nn5\n[all:vars]\nansible_connection=local\n';
const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - command: echo {{ inventory_hostname }} {{ who }}
      register: r
    - debug: { msg: "{{ r.stdout }}" }
`;
const VARS = 'who: "slice run"\n';

interface Pod {
  metadata: { name: string; annotations: Record<string, string>; labels: Record<string, string> };
  spec: { containers: Array<{ command: string[]; workingDir: string; env: Array<{ name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }> }> };
}

describe('philote job render', () => {
  it('the Job and ConfigMap are accepted; one pod per slice; each pod runs its slice; merged = unsliced', async () => {
    const src = tempDir('philote-job-src-');
    mkdirSync(join(src, 'group_vars'));
    writeFileSync(join(src, 'inv.ini'), INVENTORY);
    writeFileSync(join(src, 'site.yml'), PLAYBOOK);
    writeFileSync(join(src, 'group_vars', 'all.yml'), VARS);
    const pod = tempDir('philote-job-pod-');
    const recorder = join(pod, 'philote');
    writeFileSync(recorder, '#!/bin/sh\nprintf "%s\\n" "$@" > "$PHILOTE_ARGS_OUT"\n');
    chmodSync(recorder, 0o755);
    const work = join(pod, 'work');
    const rendered = await runCli(['job', 'render', '--slices', '3', '--image', 'registry.example/philote:1.0', '--name', 'fleet', '--files', 'inv.ini', '--files', 'site.yml', '--files', 'group_vars', '--philote', recorder, '--workdir', work, '--ssh-secret', 'fleet-key', '--', '-i', 'inv.ini', 'site.yml', '-e', 'x=a b'], { cwd: src });
    expect(rendered.code, rendered.err).toBe(0);
    const docs = rendered.out.split(/^---$/m).slice(1).map((d) => parse(d) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'Job']);
    expect(docs[1]!.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 0 });

    const applied = await kubectl(sim, ['apply', '-f', '-'], rendered.out);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('configmap/fleet-files created');
    expect(applied.stdout).toContain('job.batch/fleet created');
    const pods = await waitFor('three slice pods', async () => {
      const r = await kubectl(sim, ['get', 'pods', '-l', 'batch.kubernetes.io/job-name=fleet', '-o', 'json']);
      const items = (JSON.parse(r.stdout) as { items: Pod[] }).items;
      return items.length === 3 ? items : undefined;
    });
    const indexes = pods.map((p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index']).sort();
    expect(indexes).toEqual(['0', '1', '2']);

    // The ConfigMap as the volume lays it out (items: key -> relative path).
    const cm = JSON.parse((await kubectl(sim, ['get', 'configmap', 'fleet-files', '-o', 'json'])).stdout) as { data: Record<string, string> };
    const job = JSON.parse((await kubectl(sim, ['get', 'job', 'fleet', '-o', 'json'])).stdout) as { spec: { template: { spec: { volumes: Array<{ name: string; configMap?: { items: Array<{ key: string; path: string }> } }> } } } };
    for (const it of job.spec.template.spec.volumes.find((v) => v.name === 'work')!.configMap!.items) {
      mkdirSync(dirname(join(work, it.path)), { recursive: true });
      writeFileSync(join(work, it.path), cm.data[it.key]!);
    }
    expect(readFileSync(join(work, 'group_vars', 'all.yml'), 'utf8')).toBe(VARS);

    const results: string[] = [];
    const env = { ANSIBLE_STDOUT_CALLBACK: 'json', PHILOTE_RECORD: '0', HOME: pod };
    for (const p of pods) {
      const c = p.spec.containers[0]!;
      const indexVar = c.env.find((e) => e.name === 'JOB_COMPLETION_INDEX')!;
      expect(indexVar.valueFrom!.fieldRef.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
      const containerEnv = Object.fromEntries(c.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
      expect(containerEnv).toMatchObject({ ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_PRIVATE_KEY_FILE: '/philote/ssh/ssh-privatekey' });
      const argsFile = join(pod, `args-${p.metadata.name}`);
      execFileSync(c.command[0]!, c.command.slice(1), {
        cwd: c.workingDir,
        env: { PATH: process.env.PATH, ...containerEnv, JOB_COMPLETION_INDEX: p.metadata.annotations['batch.kubernetes.io/job-completion-index'], PHILOTE_ARGS_OUT: argsFile },
      });
      const args = readFileSync(argsFile, 'utf8').split('\n').slice(0, -1);
      const k = Number(p.metadata.annotations['batch.kubernetes.io/job-completion-index']) + 1;
      expect(args).toEqual(['playbook', '--slice', `${k}/3`, '-i', 'inv.ini', 'site.yml', '-e', 'x=a b']);
      const r = await runCli(args, { cwd: c.workingDir, env: { ...env, ...containerEnv, ANSIBLE_PRIVATE_KEY_FILE: '' } });
      expect(r.code, r.err).toBe(0);
      results.push(join(pod, `slice-${k}.json`));
      writeFileSync(results.at(-1)!, r.out);
      // The kubelet's report: the pod's program ended with 0.
      const done = await kubectl(sim, ['patch', 'pod', p.metadata.name, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Succeeded"}}']);
      expect(done.code, done.stderr).toBe(0);
    }
    const whole = await runCli(['playbook', '-i', 'inv.ini', 'site.yml', '-e', 'x=a b'], { cwd: work, env });
    const merged = await runCli(['job', 'merge', ...results], { cwd: work, env });
    expect(merged.code).toBe(0);
    expect(comparableResult(merged.out)).toEqual(comparableResult(whole.out));
    expect(merged.out).toContain('n5 slice run');
    const status = await waitFor('the Job complete', async () => {
      const j = JSON.parse((await kubectl(sim, ['get', 'job', 'fleet', '-o', 'json'])).stdout) as { status: { completedIndexes?: string; conditions?: Array<{ type: string }> } };
      return j.status.conditions?.some((c) => c.type === 'Complete') ? j.status : undefined;
    });
    expect(status.completedIndexes).toBe('0,1,2');
  });

  it('the API server rules: a Job the API would refuse is refused with its message', async () => {
    const r = await runCli(['job', 'render', '--slices', '2', '--image', 'img:1', '--name', 'bad', '--', 'site.yml'], { cwd: tempDir('philote-job-') });
    const broken = r.out.replace('restartPolicy: Never', 'restartPolicy: Always');
    expect(broken).not.toBe(r.out);
    const applied = await kubectl(sim, ['apply', '-f', '-'], broken);
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toContain('spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
    const noSlice = await runCli(['job', 'render', '--slices', '2', '--image', 'img:1', '--', '--slice', '1/2', 'site.yml'], { cwd: tempDir('philote-job-') });
    expect(noSlice.code).toBe(5);
    expect(noSlice.err).toContain('sets --slice itself');
  });
});

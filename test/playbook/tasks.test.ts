/** Task keyword normalisation and module resolution. */
import { PyFloat } from '../../src/template/runtime/values.js';
import { describe, expect, it } from 'vitest';
import type { Block, IncludeItem, Task } from '../../src/playbook/types.js';
import { load, playWith } from './helpers.js';

function tasksOf(yaml: string): Array<Task | Block | IncludeItem> {
  return load(playWith(yaml)).plays[0]!.tasks;
}
function task(yaml: string): Task {
  const t = tasksOf(yaml)[0]!;
  expect(t.kind).toBe('task');
  return t as Task;
}

describe('module resolution', () => {
  it('short names, FQCN and collection names map to the canonical module', () => {
    const ts = tasksOf('    - ansible.builtin.copy: {src: a, dest: b}\n    - kubernetes.core.k8s_info: {kind: Node}\n    - ansible.legacy.debug: msg=hi\n') as Task[];
    expect(ts.map((t) => [t.action, t.actionAsWritten])).toEqual([
      ['copy', 'ansible.builtin.copy'],
      ['k8s_info', 'kubernetes.core.k8s_info'],
      ['debug', 'ansible.legacy.debug'],
    ]);
    expect(ts[0]!.args).toEqual({ src: 'a', dest: 'b' });
  });

  it('legacy action: with k=v', () => {
    const t = task('    - action: copy src=a dest="b c"\n');
    expect(t).toMatchObject({ action: 'copy', actionAsWritten: 'copy', args: { src: 'a', dest: 'b c' } });
  });

  it('action: as a mapping with module', () => {
    const t = task('    - action:\n        module: file\n        path: /tmp/x\n        state: directory\n');
    expect(t).toMatchObject({ action: 'file', args: { path: '/tmp/x', state: 'directory' } });
  });

  it('local_action delegates to localhost', () => {
    const t = task('    - local_action: command echo hi chdir=/tmp\n');
    expect(t).toMatchObject({ action: 'command', delegate_to: 'localhost', args: { _raw_params: 'echo hi', chdir: '/tmp' } });
  });

  it('free-form modules keep _raw_params and known options', () => {
    const t = task('    - shell: echo {{ a }} > /tmp/x creates=/tmp/x\n');
    expect(t.args).toEqual({ _raw_params: 'echo {{ a }} > /tmp/x', creates: '/tmp/x' });
  });

  it('args: gives defaults that the module arguments override', () => {
    const t = task('    - command: echo hi\n      args:\n        chdir: /srv\n        creates: /a\n');
    expect(t.args).toEqual({ chdir: '/srv', creates: '/a', _raw_params: 'echo hi' });
  });

  it('a module without arguments', () => {
    expect(task('    - ping:\n').args).toEqual({});
  });

  it('meta and include_vars are executor actions', () => {
    const ts = tasksOf('    - meta: flush_handlers\n    - include_vars: vars.yml\n') as Task[];
    expect(ts.map((t) => [t.action, t.args])).toEqual([
      ['meta', { _raw_params: 'flush_handlers' }],
      ['include_vars', { _raw_params: 'vars.yml' }],
    ]);
  });
});

describe('keyword normalisation', () => {
  it('when: string, bool and list all become arrays', () => {
    const ts = tasksOf('    - debug: msg=1\n      when: a == 1\n    - debug: msg=1\n      when: false\n    - debug: msg=1\n      when: [a, "b is defined"]\n') as Task[];
    expect(ts.map((t) => t.when)).toEqual([['a == 1'], [false], ['a', 'b is defined']]);
  });

  it('tags: comma string, list and numbers become strings', () => {
    const ts = tasksOf('    - debug: msg=1\n      tags: "a, b"\n    - debug: msg=1\n      tags: [x, 2]\n    - debug: msg=1\n      tags: 3\n') as Task[];
    expect(ts.map((t) => t.tags)).toEqual([['a', 'b'], ['x', '2'], ['3']]);
  });

  it('notify, changed_when and failed_when lists', () => {
    const t = task('    - command: id\n      notify: restart\n      changed_when: false\n      failed_when: [rc != 0, "\'x\' in stdout"]\n');
    expect(t.notify).toEqual(['restart']);
    expect(t.changed_when).toEqual([false]);
    expect(t.failed_when).toEqual(['rc != 0', "'x' in stdout"]);
  });

  it('booleans accept yes/no, integers accept digits and templates', () => {
    const t = task('    - debug: msg=1\n      become: yes\n      ignore_errors: "{{ flag }}"\n      retries: "3"\n      delay: 5\n      until: r is success\n      run_once: no\n');
    expect(t).toMatchObject({ become: true, ignore_errors: '{{ flag }}', retries: 3, delay: 5, until: 'r is success', run_once: false });
  });

  it('with_<lookup> becomes loop + loopWith', () => {
    const ts = tasksOf('    - debug: msg={{ item }}\n      with_items: [1, 2]\n    - debug: msg={{ item }}\n      with_fileglob: "*.conf"\n    - debug: msg={{ item }}\n      loop: "{{ xs }}"\n      loop_control: {loop_var: x, label: "{{ x.name }}", pause: 1}\n') as Task[];
    expect(ts.map((t) => [t.loop, t.loopWith])).toEqual([[[1, 2], 'items'], ['*.conf', 'fileglob'], ['{{ xs }}', undefined]]);
    expect(ts[2]!.loop_control).toEqual({ loop_var: 'x', label: '{{ x.name }}', pause: 1 });
  });

  it('vars, environment, register, delegate_to and module_defaults', () => {
    const t = task('    - debug: msg=1\n      vars: {a: 1}\n      environment: {PATH: /bin}\n      register: out\n      delegate_to: "{{ groups.db[0] }}"\n      delegate_facts: true\n');
    expect(t).toMatchObject({ vars: { a: 1 }, environment: { PATH: '/bin' }, register: 'out', delegate_to: '{{ groups.db[0] }}', delegate_facts: true });
  });

  it('YAML 1.1 scalars as Ansible reads them', () => {
    const t = task('    - debug:\n        msg: [yes, off, 0755, 1.0e+3, ~, y, n, 1e3, 2024-01-02]\n');
    // 1.0e+3 is a float in Python (1000.0): a PyFloat, which prints as 1000.0.
    expect(t.args['msg']).toEqual([true, false, 493, new PyFloat(1000), null, 'y', 'n', '1e3', '2024-01-02']);
  });

  it('every item keeps its file:line:column', () => {
    const pb = load(playWith('    - name: a\n      debug: msg=1\n    - block:\n        - name: b\n          debug: msg=2\n'));
    const [a, blk] = pb.plays[0]!.tasks as [Task, Block];
    expect(a.loc).toMatchObject({ line: 3, column: 7 });
    expect(blk.loc).toMatchObject({ line: 5, column: 7 });
    expect(blk.block[0]!.loc).toMatchObject({ line: 6, column: 11 });
    expect(a.loc.file).toBe(`${pb.dir}/site.yml`);
  });

  it('blocks keep rescue/always and pass notify down', () => {
    const [b] = tasksOf('    - name: b\n      notify: h\n      block:\n        - command: a\n      rescue:\n        - debug: msg=r\n      always:\n        - debug: msg=x\n          notify: other\n') as Block[];
    expect(b!.kind).toBe('block');
    expect(b!.name).toBe('b');
    expect((b!.block[0] as Task).notify).toEqual(['h']);
    expect((b!.rescue[0] as Task).action).toBe('debug');
    expect((b!.always[0] as Task).notify).toEqual(['other']);
  });

  it('handlers are marked and keep listen', () => {
    const pb = load({ 'site.yml': '- hosts: all\n  handlers:\n    - name: restart\n      command: systemctl restart x\n      listen: [svc changed]\n' });
    expect(pb.plays[0]!.handlers[0]).toMatchObject({ kind: 'task', name: 'restart', isHandler: true, listen: ['svc changed'] });
  });

  it('debugger is accepted and ignored', () => {
    expect(task('    - debug: msg=1\n      debugger: on_failed\n').action).toBe('debug');
  });
});

describe('plays', () => {
  it('play keywords', () => {
    const pb = load({
      'site.yml': [
        '- name: p',
        '  hosts: [web, db]',
        '  gather_facts: no',
        '  gather_subset: [network]',
        '  serial: [1, "30%"]',
        '  strategy: free',
        '  max_fail_percentage: 20',
        '  order: sorted',
        '  force_handlers: true',
        '  become: true',
        '  remote_user: admin',
        '  any_errors_fatal: true',
        '  vars_files: [a.yml, [b.yml, c.yml]]',
        '  vars_prompt: [{name: pw, prompt: "Password?"}]',
        '  environment: {A: "1"}',
        '  tags: deploy',
        '  tasks: []',
      ].join('\n'),
    });
    const p = pb.plays[0]!;
    expect(p).toMatchObject({
      name: 'p', hosts: ['web', 'db'], gather_facts: false, gather_subset: ['network'], serial: [1, '30%'], strategy: 'free',
      max_fail_percentage: 20, order: 'sorted', force_handlers: true, become: true, remote_user: 'admin', any_errors_fatal: true,
      vars_files: ['a.yml', ['b.yml', 'c.yml']], vars_prompt: [{ name: 'pw', prompt: 'Password?' }], environment: { A: '1' }, tags: ['deploy'],
    });
    expect(p.baseDir).toBe(pb.dir);
  });

  it('a play without a name is named after its hosts', () => {
    expect(load({ 'site.yml': '- hosts: [a, b]\n' }).plays[0]!.name).toBe('a,b');
  });

  it('import_playbook is flattened with its tags, vars and when', () => {
    const pb = load({
      'site.yml': '- hosts: a\n- import_playbook: sub/more.yml\n  tags: [imp]\n  vars: {v: 2}\n  when: go\n',
      'sub/more.yml': '- hosts: b\n  vars: {v: 1, w: 1}\n  tags: [own]\n  tasks: [{debug: msg=1}]\n',
    });
    expect(pb.plays.map((p) => p.hosts)).toEqual(['a', 'b']);
    expect(pb.plays[1]).toMatchObject({ tags: ['own', 'imp'], vars: { v: 2, w: 1 }, when: ['go'], baseDir: `${pb.dir}/sub` });
  });

  it('old `user:` becomes remote_user', () => {
    expect(load({ 'site.yml': '- hosts: a\n  user: root\n' }).plays[0]!.remote_user).toBe('root');
  });
});

describe('include apply', () => {
  it('is typed like a block', () => {
    const [inc] = tasksOf('    - include_tasks:\n        file: t.yml\n        apply:\n          become: yes\n          tags: "a,b"\n          when: x\n') as IncludeItem[];
    expect(inc!.args['apply']).toEqual({ become: true, tags: ['a', 'b'], when: ['x'] });
  });
  it('refuses non-block keywords', () => {
    expect(() => tasksOf('    - include_tasks:\n        file: t.yml\n        apply:\n          register: r\n')).toThrow("'register' is not a valid attribute for a Block (in apply)");
  });
});

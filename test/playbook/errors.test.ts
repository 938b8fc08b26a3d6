/** Every mistake the loader refuses: message, file:line:column, and the "did you mean" hint. */
import { describe, expect, it } from 'vitest';
import { loadError, playWith } from './helpers.js';

describe('load-time errors', () => {
  it('unknown play keyword, with a hint', () => {
    const e = loadError({ 'site.yml': '- hosts: all\n  gather_fact: no\n  tasks: []\n' });
    expect(e.message).toBe("'gather_fact' is not a valid attribute for a Play");
    expect(e.location).toMatchObject({ line: 2, column: 3 });
    expect(e.location?.file).toMatch(/site\.yml$/);
    expect(e.hint).toBe("did you mean 'gather_facts'?");
  });

  it('unknown module, with a hint', () => {
    const e = loadError(playWith('    - name: x\n      debugg: msg=1\n'));
    expect(e.message).toMatch(/^couldn't resolve module\/action 'debugg'/);
    expect(e.location).toMatchObject({ line: 4, column: 7 });
    expect(e.hint).toBe("did you mean 'debug'?");
  });

  it('misspelt task keyword next to a module suggests the keyword', () => {
    const e = loadError(playWith('    - debug: msg=1\n      registr: out\n'));
    // ansible-core takes both keys for actions; philote adds the hint.
    expect(e.message).toBe('conflicting action statements: debug, registr');
    expect(e.hint).toBe("did you mean 'register'?");
    expect(e.location).toMatchObject({ line: 4, column: 7 });
    expect(e.hint).toBe("did you mean 'register'?");
  });

  it('two modules in one task', () => {
    const e = loadError(playWith('    - debug: msg=1\n      copy: src=a dest=b\n'));
    expect(e.message).toBe('conflicting action statements: debug, copy');
    expect(e.location).toMatchObject({ line: 4, column: 7 });
  });

  it('a task without a module', () => {
    const e = loadError(playWith('    - name: nothing\n      when: true\n'));
    expect(e.message).toBe('no module/action detected in task.');
    expect(e.location).toMatchObject({ line: 3, column: 7 });
  });

  it('wrong type of when', () => {
    const e = loadError(playWith('    - debug: msg=1\n      when: {a: 1}\n'));
    expect(e.message).toMatch(/^the field 'when' has an invalid value \(dict \{"a":1\}\)/);
    expect(e.location).toMatchObject({ line: 4, column: 7 });
  });

  it('wrong type of retries', () => {
    const e = loadError(playWith('    - debug: msg=1\n      until: x\n      retries: abc\n'));
    expect(e.message).toMatch(/^the field 'retries' has an invalid value \(string "abc"\): expected an integer/);
    expect(e.location).toMatchObject({ line: 5, column: 7 });
  });

  it('wrong type of become', () => {
    const e = loadError(playWith('    - debug: msg=1\n      become: maybe\n'));
    expect(e.message).toMatch(/'become' has an invalid value/);
    expect(e.location).toMatchObject({ line: 4 });
  });

  it('unknown block keyword', () => {
    const e = loadError(playWith('    - block:\n        - debug: msg=1\n      rescues:\n        - debug: msg=2\n'));
    expect(e.message).toBe("'rescues' is not a valid attribute for a Block");
    expect(e.location).toMatchObject({ line: 5, column: 7 });
    expect(e.hint).toBe("did you mean 'rescue'?");
  });

  it('unknown loop_control key', () => {
    const e = loadError(playWith('    - debug: msg={{ item }}\n      loop: [1]\n      loop_control:\n        loopvar: x\n'));
    expect(e.message).toBe("'loopvar' is not a valid attribute for a LoopControl");
    expect(e.hint).toBe("did you mean 'loop_var'?");
    expect(e.location).toMatchObject({ line: 6, column: 9 });
  });

  it('loop and with_items together', () => {
    const e = loadError(playWith('    - debug: msg=1\n      loop: [1]\n      with_items: [2]\n'));
    expect(e.message).toBe("the 'loop' and 'with_items' keywords cannot be used together");
    expect(e.location).toMatchObject({ line: 5 });
  });

  it('async and poll load as task keywords (run by src/async; see test/modules/breadth/async-lab.test.ts)', async () => {
    const { load } = await import('./helpers.js');
    const task = load(playWith('    - command: sleep 100\n      async: 120\n      poll: 0\n')).plays[0]!.tasks[0] as { async?: unknown; poll?: unknown };
    expect([task.async, task.poll]).toEqual([120, 0]);
    const e = loadError(playWith('    - command: sleep 1\n      async: soon\n'));
    expect(e.message).toMatch(/async/);
    expect(e.location).toMatchObject({ line: 4, column: 7 });
  });

  it('extra free-form params on a module that takes none', () => {
    const e = loadError(playWith('    - ping: hello\n'));
    expect(e.message).toMatch(/^this task 'ping' has extra params, which is only allowed in the following modules: command, shell/);
    expect(e.location).toMatchObject({ line: 3, column: 7 });
  });

  it('action and local_action together', () => {
    const e = loadError(playWith('    - action: debug msg=1\n      local_action: debug msg=2\n'));
    expect(e.message).toBe('action and local_action are mutually exclusive');
    expect(e.location).toMatchObject({ line: 4, column: 7 });
  });

  it('an unknown module argument, validated at load time', () => {
    const e = loadError(playWith('    - name: make dir\n      file:\n        path: /tmp/x\n        stat: directory\n'));
    expect(e.message).toMatch(/^file: Unsupported parameters for \(file\) module: stat\. Supported parameters include: access_time, .*, path, .*, state, unsafe_writes\.$/);
    // At the argument at fault.
    expect(e.location).toMatchObject({ line: 6, column: 9 });
    expect(e.hint).toBe("did you mean 'state'?");
  });

  it('a wrong module argument value, validated at load time', () => {
    const e = loadError(playWith('    - file: path=/tmp/x state=folder\n'));
    expect(e.message).toMatch(/^file: value of state must be one of: .*directory.*, got: folder$/);
    expect(e.location).toMatchObject({ line: 3, column: 7 });
  });

  it('an argument of the wrong type, at its own line', () => {
    const e = loadError(playWith('    - name: show\n      debug:\n        msg: hi\n        verbosity: lots\n'));
    expect(e.message).toBe("debug: argument 'verbosity' is of type <class 'str'> and we were unable to convert to int: lots is not a valid int");
    expect(e.location).toMatchObject({ line: 6, column: 9 });
  });

  it('templated arguments are left for run time', () => {
    expect(() => loadError(playWith('    - file: path=/tmp/x state={{ s }}\n'))).toThrow('expected a parse error');
  });

  it('a missing required argument is left for run time (module_defaults may add it)', () => {
    expect(() => loadError(playWith('    - copy: {content: x}\n'))).toThrow('expected a parse error');
  });

  it('import_tasks of a missing file', () => {
    const e = loadError(playWith('    - import_tasks: nope.yml\n'), 'site.yml', 'not-found');
    expect(e.message).toMatch(/^Could not find or access 'nope\.yml'/);
    expect(e.location).toMatchObject({ line: 3, column: 7 });
  });

  it('loops on import_tasks', () => {
    const e = loadError({ ...playWith('    - import_tasks: t.yml\n      loop: [1]\n'), 't.yml': '- debug: msg=1\n' });
    expect(e.message).toBe("You cannot use loops on 'import_tasks' statements. You should use 'include_tasks' instead.");
  });

  it('an import_tasks cycle', () => {
    const e = loadError({ ...playWith('    - import_tasks: a.yml\n'), 'a.yml': '- import_tasks: b.yml\n', 'b.yml': '- import_tasks: a.yml\n' });
    expect(e.message).toMatch(/^import_tasks loop: .*a\.yml -> .*b\.yml -> .*a\.yml$/);
    expect(e.location).toMatchObject({ line: 1, column: 3 });
    expect(e.location?.file).toMatch(/b\.yml$/);
  });

  it('a role that does not exist', () => {
    const e = loadError({ 'site.yml': '- hosts: all\n  roles:\n    - comon\n', 'roles/common/tasks/main.yml': '- debug: msg=1\n' }, 'site.yml', 'not-found');
    expect(e.message).toMatch(/^the role 'comon' was not found in .*\/roles:/);
    expect(e.location).toMatchObject({ line: 3, column: 7 });
  });

  it('a role that depends on itself', () => {
    const e = loadError({
      'site.yml': '- hosts: all\n  roles: [a]\n',
      'roles/a/meta/main.yml': 'dependencies: [b]\n',
      'roles/b/meta/main.yml': 'dependencies: [a]\n',
    });
    expect(e.message).toBe("the role 'a' depends on itself (a -> b -> a)");
  });

  it('a play without hosts', () => {
    const e = loadError({ 'site.yml': '- name: x\n  tasks: []\n' });
    expect(e.message).toBe("the field 'hosts' is required but was not set");
    expect(e.location).toMatchObject({ line: 1, column: 3 });
  });

  it('a playbook that is not a list', () => {
    const e = loadError({ 'site.yml': 'hosts: all\n' });
    expect(e.message).toBe('A playbook must be a list of plays, got a dict instead');
  });

  it('YAML syntax errors carry their position', () => {
    const e = loadError(playWith('    - debug:\n        msg: "unterminated\n'));
    // As ansible-core's DataLoader: JSON's reason first, then YAML's in libyaml's words.
    expect(e.message).toMatch(/^We were unable to read either as JSON nor YAML, these are the errors we got from each:\nJSON: Expecting value: line 1 column 1 \(char 0\)\n\nSyntax Error while loading YAML\.\n  found unexpected end of stream$/);
    expect(e.location?.line).toBeGreaterThanOrEqual(4);
  });

  it('listen outside handlers', () => {
    const e = loadError(playWith('    - debug: msg=1\n      listen: x\n'));
    expect(e.message).toBe("'listen' is not a valid attribute for a Task");
    expect(e.hint).toBe('listen is only valid on handlers');
  });

  it('register must be a variable name', () => {
    const e = loadError(playWith('    - debug: msg=1\n      register: my-var\n'));
    expect(e.message).toBe("Invalid variable name in 'register' specified: 'my-var'");
  });

  it('register: on reads as True, a Python keyword, and is refused as ansible-core does', () => {
    const e = loadError(playWith('    - debug: msg=1\n      register: on\n'));
    expect(e.message).toBe("Invalid variable name in 'register' specified: 'True'");
  });

  it('vars names must be variable names, at every level, named by the class ansible-core loads', () => {
    const play = loadError({ 'site.yml': "- hosts: all\n  vars:\n    'a-b': 1\n  tasks: []\n" });
    expect(play.message).toBe("Invalid variable name in vars specified for Play: 'a-b' is not a valid variable name");
    expect(play.location).toMatchObject({ line: 3, column: 5 });
    expect(loadError(playWith('    - debug: msg=1\n      vars: {class: 1}\n')).message).toBe("Invalid variable name in vars specified for Task: 'class' is not a valid variable name");
    expect(loadError(playWith('    - block: [{debug: msg=1}]\n      vars: [{ok: 1}, {é: 2}]\n')).message).toBe("Invalid variable name in vars specified for Block: 'é' is not a valid variable name");
    expect(loadError(playWith('    - include_tasks: x.yml\n      vars: {1: 1}\n')).message).toBe("Invalid variable name in vars specified for TaskInclude: '1' is not a valid variable name");
    // Soft keywords are names.
    expect(() => loadError(playWith('    - debug: msg=1\n      vars: {match: 1, _: 2}\n'))).toThrow('expected a parse error');
  });

  it('unbalanced quotes in k=v', () => {
    const e = loadError(playWith('    - debug: msg="oops\n'));
    expect(e.message).toMatch(/^failed at splitting arguments, either an unbalanced jinja2 block or quotes/);
    expect(e.location).toMatchObject({ line: 3, column: 7 });
  });

  it('userMessage puts the location first and the hint last', () => {
    const e = loadError(playWith('    - debugg: msg=1\n'));
    expect(e.userMessage()).toMatch(/site\.yml:3:7: couldn't resolve module\/action 'debugg'.*\(did you mean 'debug'\?\)$/);
  });
});

describe('unknown module messages', () => {
  it('an Ansible module philote has not implemented loads (it fails only when it runs)', async () => {
    const { load } = await import('./helpers.js');
    const pb = load(playWith('    - ansible.builtin.assemble: src=a dest=b\n'));
    const task = pb.plays[0]!.tasks[0] as { action: string; args: Record<string, unknown> };
    expect(task.action).toBe('assemble');
    expect(task.args).toEqual({ src: 'a', dest: 'b' });
  });
  it('a misspelt FQCN suggests the FQCN', () => {
    const e = loadError(playWith('    - ansible.builtin.debugg: msg=1\n'));
    expect(e.hint).toBe("did you mean 'ansible.builtin.debug'?");
  });
  it('a misspelt collection module suggests within its collection', () => {
    const e = loadError(playWith('    - kubernetes.core.k8s_inf: {kind: Node}\n'));
    expect(e.hint).toBe("did you mean 'kubernetes.core.k8s_info'?");
  });
  it('a collection module philote lacks loads like one of an installed collection', async () => {
    const { load } = await import('./helpers.js');
    const pb = load(playWith('    - acme.widgets.frobnicate: {a: 1}\n'));
    expect((pb.plays[0]!.tasks[0] as { action: string }).action).toBe('acme.widgets.frobnicate');
  });
  it('no far-fetched hints', () => {
    const e = loadError(playWith('    - zzzqqq: {}\n'));
    expect(e.hint).toBeUndefined();
  });
});

describe('keywords of include_tasks / include_role', () => {
  it('refuses the keywords Ansible refuses, pointing at apply:', () => {
    const e = loadError({ ...playWith('    - include_tasks: t.yml\n      become: true\n'), 't.yml': '- debug: msg=1\n' });
    expect(e.message).toBe("'become' is not a valid attribute for a TaskInclude");
    expect(e.hint).toBe("put 'become' in 'apply:' or on the included tasks");
    expect(e.location).toMatchObject({ line: 4, column: 7 });
    const r = loadError(playWith('    - include_role: name=x\n      notify: h\n'));
    expect(r.message).toBe("'notify' is not a valid attribute for a IncludeRole");
  });
  it('accepts register, loops, vars, when, tags', () => {
    expect(() => loadError(playWith('    - include_tasks: t.yml\n      register: r\n      loop: [1]\n      vars: {a: 1}\n      when: x\n      tags: [t]\n      no_log: true\n'))).toThrow('expected a parse error');
  });
});

describe('vault', () => {
  it('an inline !vault value without secrets loads, kept encrypted until it is used (as ansible-core)', () => {
    expect(() => loadError({ 'site.yml': '- hosts: all\n  vars:\n    secret: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      6162\n' })).toThrow('expected a parse error');
  });
  it('a vault-encrypted task file is refused', () => {
    const e = loadError({ ...playWith('    - import_tasks: t.yml\n'), 't.yml': '$ANSIBLE_VAULT;1.1;AES256\n6162\n' });
    expect(e.message).toMatch(/t\.yml' is vault-encrypted: philote cannot decrypt Ansible Vault data yet/);
  });
  it('!unsafe strings load as unsafe text (never templated), printed as their text', async () => {
    const { load } = await import('./helpers.js');
    const { isUnsafeText } = await import('../../src/template/unsafe.js');
    const pb = load({ 'site.yml': '- hosts: all\n  vars:\n    raw: !unsafe "{{ not templated }}"\n' });
    const raw = pb.plays[0]!.vars!['raw'];
    expect(isUnsafeText(raw)).toBe(true);
    expect(String(raw)).toBe('{{ not templated }}');
  });
});

describe('meta', () => {
  it('a literal unknown meta action is refused at load time', () => {
    const e = loadError(playWith('    - meta: flush_handler\n'));
    expect(e.message).toBe('invalid meta action requested: flush_handler');
    expect(e.hint).toBe("did you mean 'flush_handlers'?");
    expect(e.location).toMatchObject({ line: 3, column: 7 });
  });
});

describe('collection roles', () => {
  it('that are not installed name where they were looked up', () => {
    const e = loadError({ 'site.yml': '- hosts: all\n  roles: [acme.tools.setup]\n' }, 'site.yml', 'not-found');
    expect(e.message).toMatch(/^the role 'acme\.tools\.setup' was not found in /);
    expect(e.hint).toMatch(/^a collection's role is looked up in <playbook dir>\/collections and collections_paths/);
  });
});

/** Roles: search paths, files, meta dependencies, params, keywords, import/include. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Loader } from '../../src/playbook/loader.js';
import type { Block, IncludeItem, Task, TaskItem } from '../../src/playbook/types.js';
import { load, tree } from './helpers.js';

/** Task names in run order, with role prefixes, walking blocks (block sections only). */
function names(items: TaskItem[]): string[] {
  const out: string[] = [];
  for (const it of items) {
    if (it.kind === 'block') out.push(...names(it.block));
    else out.push(`${it.role ? it.role.name + ' : ' : ''}${it.name ?? it.actionAsWritten}`);
  }
  return out;
}

const ROLES = {
  'roles/base/tasks/main.yml': '- name: base task\n  debug: msg=base\n',
  'roles/common/meta/main.yml': 'dependencies:\n  - base\n',
  'roles/common/defaults/main.yml': 'port: 22\n',
  'roles/common/vars/main.yaml': 'pkg: curl\n',
  'roles/common/tasks/main.yml': '- name: common task\n  debug: msg=common\n- include_tasks: extra.yml\n',
  'roles/common/tasks/extra.yml': '- name: common extra\n  debug: msg=extra\n',
  'roles/common/tasks/other.yml': '- name: common other\n  debug: msg=other\n',
  'roles/common/handlers/main.yml': '- name: restart common\n  debug: msg=r\n',
  'roles/common/vars/alt.yml': 'pkg: wget\n',
};

describe('roles', () => {
  it('expands roles with dependencies first, each item carrying its role', () => {
    const pb = load({ ...ROLES, 'site.yml': '- hosts: all\n  roles: [common]\n' });
    const play = pb.plays[0]!;
    expect(names(play.roles)).toEqual(['base : base task', 'common : common task', 'common : include_tasks']);
    const block = play.roles[0]!;
    expect(block).toMatchObject({ kind: 'block', implicit: true });
    expect(block.role).toMatchObject({ name: 'common', path: join(pb.dir, 'roles/common'), defaults: { port: 22 }, vars: { pkg: 'curl' }, params: {} });
    expect((block.block[0] as Block).role?.name).toBe('base');
    expect(play.handlers.map((h) => [h.name, (h as Task).isHandler, h.role?.name])).toEqual([['restart common', true, 'common']]);
  });

  it('the three ways to name a role, params and keywords on the entry', () => {
    const pb = load({
      ...ROLES,
      'site.yml': '- hosts: all\n  roles:\n    - common\n    - role: common\n      http_port: 2222\n      tags: [c]\n      when: x\n      become: true\n      vars: {v: 1}\n    - name: base\n',
    });
    const [a, b, c] = pb.plays[0]!.roles as [Block, Block, Block];
    expect(a.role!.params).toEqual({});
    expect(b.role!.params).toEqual({ http_port: 2222 });
    expect(b).toMatchObject({ tags: ['c'], when: ['x'], become: true, vars: { v: 1 } });
    expect(c.role!.name).toBe('base');
    // Same role, other params: another instance. Same params: same id (the executor runs it once).
    expect(a.role!.id).not.toBe(b.role!.id);
    expect((a.block[0] as Block).role!.id).toBe(c.role!.id);
    // Handlers of one role instance are not repeated.
    expect(pb.plays[0]!.handlers.filter((h) => h.name === 'restart common')).toHaveLength(2);
  });

  it('allow_duplicates gives every use its own instance', () => {
    const pb = load({
      'roles/d/meta/main.yml': 'allow_duplicates: yes\n',
      'roles/d/tasks/main.yml': '- debug: msg=d\n',
      'site.yml': '- hosts: all\n  roles: [d, d]\n',
    });
    const [a, b] = pb.plays[0]!.roles;
    expect(a!.role!.id).not.toBe(b!.role!.id);
  });

  it('finds roles in roles_path, beside the playbook, and by path', () => {
    const dir = tree({
      'elsewhere/r1/tasks/main.yml': '- name: r1\n  debug: msg=1\n',
      'roles/r2/tasks/main.yml': '- name: r2\n  debug: msg=2\n',
      'pathrole/tasks/main.yml': '- name: r3\n  debug: msg=3\n',
      'site.yml': '- hosts: all\n  roles: [r1, r2, ./pathrole]\n',
    });
    const pb = new Loader({ rolesPath: [join(dir, 'elsewhere')] }).loadPlaybookSync(join(dir, 'site.yml'));
    expect(names(pb.plays[0]!.roles)).toEqual(['r1 : r1', 'r2 : r2', './pathrole : r3']);
  });

  it('a dependency is also looked up beside the role that needs it', () => {
    const dir = tree({
      'lib/app/meta/main.yml': 'dependencies: [helper]\n',
      'lib/app/tasks/main.yml': '- name: app\n  debug: msg=1\n',
      'lib/helper/tasks/main.yml': '- name: helper\n  debug: msg=1\n',
      'site.yml': '- hosts: all\n  roles: [lib/app]\n',
    });
    const pb = new Loader({ rolesPath: [] }).loadPlaybookSync(join(dir, 'site.yml'));
    expect(names(pb.plays[0]!.roles)).toEqual(['helper : helper', 'lib/app : app']);
  });

  it('import_role is static, with tasks_from/vars_from, and brings its handlers', () => {
    const pb = load({
      ...ROLES,
      'site.yml': '- hosts: all\n  tasks:\n    - import_role:\n        name: common\n        tasks_from: other\n        vars_from: alt\n      tags: [imp]\n      when: y\n',
    });
    const wrapper = pb.plays[0]!.tasks[0] as Block;
    expect(wrapper).toMatchObject({ kind: 'block', implicit: true, tags: ['imp'], when: ['y'] });
    expect(names([wrapper])).toEqual(['base : base task', 'common : common other']);
    expect((wrapper.block[0] as Block).role!.vars).toEqual({ pkg: 'wget' });
    expect(pb.plays[0]!.handlers.map((h) => h.name)).toEqual(['restart common']);
  });

  it('import_tasks wraps the imported tasks in an implicit block with the import keywords', () => {
    const pb = load({
      'site.yml': '- hosts: all\n  tasks:\n    - import_tasks: tasks/a.yml\n      when: w\n      tags: t\n',
      'tasks/a.yml': '- name: a1\n  debug: msg=1\n- import_tasks: b.yml\n',
      'tasks/b.yml': '- name: b1\n  debug: msg=1\n',
    });
    const w = pb.plays[0]!.tasks[0] as Block;
    expect(w).toMatchObject({ kind: 'block', implicit: true, when: ['w'], tags: ['t'] });
    expect(names([w])).toEqual(['a1', 'b1']);
    expect((w.block[0] as Task).loc.file).toBe(join(pb.dir, 'tasks/a.yml'));
  });

  it('include_tasks and include_role stay dynamic and load at run time', async () => {
    const pb = load({
      ...ROLES,
      'site.yml': '- hosts: all\n  tasks:\n    - include_tasks: tasks/dyn.yml\n      vars: {a: 1}\n    - include_role:\n        name: common\n        tasks_from: other\n      loop: [1, 2]\n    - include_tasks:\n        file: tasks/dyn.yml\n        apply: {tags: [x]}\n',
      'tasks/dyn.yml': '- name: dyn\n  debug: msg=1\n- include_tasks: nested.yml\n',
      'tasks/nested.yml': '- name: nested\n  debug: msg=1\n',
    });
    const [inc, incRole, withApply] = pb.plays[0]!.tasks as IncludeItem[];
    expect(inc).toMatchObject({ kind: 'include', action: 'include_tasks', args: { _raw_params: 'tasks/dyn.yml' }, vars: { a: 1 }, baseDir: pb.dir });
    expect(incRole).toMatchObject({ kind: 'include', action: 'include_role', args: { name: 'common', tasks_from: 'other' }, loop: [1, 2] });
    expect(withApply!.args).toEqual({ file: 'tasks/dyn.yml', apply: { tags: ['x'] } });
    const loader = new Loader({ rolesPath: [] });
    const loaded = await loader.loadIncludedTasks('tasks/dyn.yml', inc!);
    expect(names(loaded)).toEqual(['dyn', 'include_tasks']);
    // A nested include is relative to the file that holds it.
    const nested = await loader.loadIncludedTasks('nested.yml', loaded[1] as IncludeItem);
    expect(names(nested)).toEqual(['nested']);
    const role = await loader.loadIncludedRole({ name: 'common', tasks_from: 'other' }, incRole!);
    expect(role.role.name).toBe('common');
    expect(names([role.block])).toEqual(['base : base task', 'common : common other']);
    expect(role.handlers.map((h) => h.name)).toEqual(['restart common']);
  });

  it('an include_tasks inside a role resolves against the role tasks/ dir', async () => {
    const pb = load({ ...ROLES, 'site.yml': '- hosts: all\n  roles: [common]\n' });
    const inc = pb.plays[0]!.roles[0]!.block[2] as IncludeItem;
    expect(inc.kind).toBe('include');
    const loaded = await new Loader({ rolesPath: [] }).loadIncludedTasks('extra.yml', inc);
    expect(names(loaded)).toEqual(['common : common extra']);
  });

  it('run-time include errors name the include', async () => {
    const pb = load({ 'site.yml': '- hosts: all\n  tasks:\n    - include_tasks: "{{ f }}"\n' });
    const inc = pb.plays[0]!.tasks[0] as IncludeItem;
    await expect(new Loader({ rolesPath: [] }).loadIncludedTasks('missing.yml', inc)).rejects.toMatchObject({
      kind: 'not-found',
      message: expect.stringMatching(/^Could not find or access 'missing\.yml'/),
      location: { line: 3, column: 7 },
    });
  });

  it('tasks_from that does not exist', () => {
    expect(() => load({ ...ROLES, 'site.yml': '- hosts: all\n  tasks:\n    - import_role: name=common tasks_from=nope\n' })).toThrow(
      'Could not find specified file in role: tasks/nope',
    );
  });

  it('a role with no tasks/ is an empty block', () => {
    const pb = load({ 'roles/empty/defaults/main.yml': 'a: 1\n', 'site.yml': '- hosts: all\n  roles: [empty]\n' });
    expect(pb.plays[0]!.roles[0]!.block).toEqual([]);
    expect(pb.plays[0]!.roles[0]!.role!.defaults).toEqual({ a: 1 });
  });
});

describe('load-time templating of import names', () => {
  const files = {
    ...ROLES,
    'tasks/x-prod.yml': '- name: prod tasks\n  debug: msg=1\n',
    'more/pb-prod.yml': '- hosts: all\n  name: imported prod\n',
    'site.yml': [
      '- hosts: all',
      '  vars: {env: prod, role_to_use: common}',
      '  roles: ["{{ role_to_use }}"]',
      '  tasks:',
      '    - import_tasks: "{{ playbook_dir }}/tasks/x-{{ env }}.yml"',
      '    - import_role: name={{ role_to_use }} tasks_from=other',
      '- import_playbook: "more/pb-{{ which }}.yml"',
      '  vars: {which: prod}',
    ].join('\n'),
  };

  it('uses play vars, playbook_dir and import vars (without the template engine)', () => {
    const pb = load(files);
    expect(names(pb.plays[0]!.roles)).toEqual(['base : base task', 'common : common task', 'common : include_tasks']);
    expect(names(pb.plays[0]!.tasks)).toEqual(['prod tasks', 'base : base task', 'common : common other']);
    expect(pb.plays[1]!.name).toBe('imported prod');
  });

  it('uses the template engine and extra vars when loaded through loadPlaybook', async () => {
    const dir = tree({ ...files, 'tasks/x-dev.yml': '- name: dev tasks\n  debug: msg=1\n' });
    const loader = new Loader({ rolesPath: [], extraVars: { env: 'dev' } });
    const pb = await loader.loadPlaybook(join(dir, 'site.yml'));
    expect(names(pb.plays[0]!.tasks)[0]).toBe('dev tasks');
  });

  it('an undefined variable in an import name is a load error', () => {
    expect(() => load({ 'site.yml': '- hosts: all\n  tasks:\n    - import_tasks: "{{ nope }}.yml"\n' })).toThrow(/^Error when evaluating variable in import path: \{\{ nope \}\}\.yml/);
  });
});

describe('legacy include', () => {
  it('is static when its file is no template and it has no loop, its k=v pairs the tasks\' vars', () => {
    const pb = load({ 'site.yml': '- hosts: all\n  tasks:\n    - include: t.yml a=1 b=x\n', 't.yml': '- debug: msg=1\n' });
    expect(pb.plays[0]!.tasks[0]).toMatchObject({ kind: 'block', vars: { a: '1', b: 'x' }, block: [{ kind: 'task', action: 'debug' }] });
  });

  it('is dynamic with a templated file or a loop, its k=v pairs templated when it runs', () => {
    const pb = load({ 'site.yml': '- hosts: all\n  tasks:\n    - include: \"{{ f }} a=1 b=x\"\n    - include: t.yml a={{ item }}\n      loop: [1]\n' });
    expect(pb.plays[0]!.tasks[0]).toMatchObject({ kind: 'include', action: 'include_tasks', actionAsWritten: 'include', args: { _raw_params: '{{ f }}' }, legacyParams: { a: '1', b: 'x' } });
    expect(pb.plays[0]!.tasks[1]).toMatchObject({ kind: 'include', legacyParams: { a: '{{ item }}' } });
  });
});

describe('role vars directories', () => {
  it('vars/main/ and defaults/main/ may be directories of files, merged in name order', () => {
    const pb = load({
      'roles/v/tasks/main.yml': '- debug: msg=1\n',
      'roles/v/vars/main/a.yml': 'x: 1\ny: 1\n',
      'roles/v/vars/main/b.yaml': 'y: 2\n',
      'roles/v/defaults/main/d.yml': 'd: 3\n',
      'site.yml': '- hosts: all\n  roles: [v]\n',
    });
    expect(pb.plays[0]!.roles[0]!.role).toMatchObject({ vars: { x: 1, y: 2 }, defaults: { d: 3 } });
  });
});

describe('galaxy-style dependencies', () => {
  it('name the role by src', () => {
    const pb = load({
      'roles/app/meta/main.yml': 'dependencies:\n  - src: https://github.com/acme/docker.git,v1\n    name: docker\n  - src: ntp\n    version: "1.0"\n',
      'roles/app/tasks/main.yml': '- debug: msg=app\n',
      'roles/docker/tasks/main.yml': '- name: docker\n  debug: msg=1\n',
      'roles/ntp/tasks/main.yml': '- name: ntp\n  debug: msg=1\n',
      'site.yml': '- hosts: all\n  roles: [app]\n',
    });
    expect(names(pb.plays[0]!.roles)).toEqual(['docker : docker', 'ntp : ntp', 'app : debug']);
    expect((pb.plays[0]!.roles[0]!.block[1] as Block).role!.params).toEqual({});
  });
});

/**
 * Execution semantics against ansible-playbook without the YAML loader: cases of cases/*.yml
 * rebuilt by hand as Play objects (same task names, same Jinja expressions, rendered by the real
 * template engine), run by the executor and compared with ansible-playbook's results for the YAML
 * file through the same harness.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Block, IncludeItem, Play, PlaybookLoader, Task, TaskItem } from '../../../src/playbook/types.js';
import { createTemplar } from '../../executor/helpers.js';
import { CASES, compare, runAnsible, runPhilote } from './harness.js';
import type { CaseArgs } from './harness.js';

const loc = { file: 'hand.yml', line: 1, column: 1 };
type Extra = Partial<Task>;

function t(name: string | undefined, action: string, args: Record<string, unknown> = {}, extra: Extra = {}): Task {
  const task: Task = { kind: 'task', action, actionAsWritten: action, args, loc, ...extra };
  if (name !== undefined) task.name = name;
  return task;
}
const debug = (name: string | undefined, msg: string, extra: Extra = {}) => t(name, 'debug', { msg }, extra);
const fail = (name: string | undefined, msg: string | undefined, extra: Extra = {}) => t(name, 'fail', msg === undefined ? {} : { msg }, extra);
const meta = (name: string | undefined, what: string, extra: Extra = {}) => t(name, 'meta', { _raw_params: what }, extra);
const blk = (body: TaskItem[], extra: Partial<Block> = {}): Block => ({ kind: 'block', block: body, rescue: [], always: [], loc, ...extra });

function p(name: string, hosts: string, tasks: TaskItem[], extra: Partial<Play> = {}): Play {
  return { kind: 'play', loc, name, hosts, gather_facts: false, vars_files: [], pre_tasks: [], roles: [], tasks, post_tasks: [], handlers: [], baseDir: CASES, ...extra };
}
const handler = (name: string, msg: string, extra: Extra = {}) => debug(name, msg, { isHandler: true, ...extra });

const HAND: Record<string, Play[]> = {
  '08-blocks-rescue.yml': [
    p('block, rescue, always', 'all', [
      blk(
        [debug('step one', 'one'), fail('may fail', 'failing on {{ inventory_hostname }}', { when: ["inventory_hostname in ['h1', 'h3']"] }), debug('step two', 'two')],
        {
          name: 'guarded work',
          rescue: [debug('recover', 'rescued {{ ansible_failed_result.msg }}'), debug('failed task name', '{{ ansible_failed_task.name }}')],
          always: [debug('cleanup', 'cleanup')],
        },
      ),
      debug('after block', 'after'),
    ]),
  ],
  '09-block-always-fail.yml': [
    p('failure without rescue still runs always', 'all', [
      blk([fail('fail on h2', 'nope', { when: ["inventory_hostname == 'h2'"] }), debug('continue others', 'continue')], { always: [debug('always runs', 'always')] }),
      debug('only survivors', 'survivor'),
    ]),
  ],
  '11-handlers.yml': [
    p(
      'handlers by name and listen',
      'all',
      [
        debug('change everywhere', 'change', { changed_when: [true], notify: ['restart app'] }),
        debug('change on web', 'web-change', { changed_when: ["'web' in group_names"], notify: ['restart app', 'reload topic'] }),
        debug('no change', 'quiet', { notify: ['never notified'] }),
      ],
      { handlers: [handler('never notified', 'nope'), handler('restart app', 'restarting on {{ inventory_hostname }}'), handler('reload', 'reloading', { listen: ['reload topic'] })] },
    ),
  ],
  '12-flush-handlers.yml': [
    p('flush_handlers and sections', 'h1,h2', [debug('task change', 'task', { changed_when: [true], notify: ['h-task'] }), meta(undefined, 'flush_handlers'), debug('after flush', 'after-flush'), debug('second change', 'again', { changed_when: [true], notify: ['h-task'] })], {
      pre_tasks: [debug('pre change', 'pre', { changed_when: [true], notify: ['h-pre'] })],
      post_tasks: [debug('post', 'post')],
      handlers: [handler('h-task', 'handler-task'), handler('h-pre', 'handler-pre')],
    }),
  ],
  '13-handlers-failed-host.yml': [
    p('a failed host does not run its handlers', 'all', [debug('change', 'c', { changed_when: [true], notify: ['hd'] }), fail('fail h3', 'x', { when: ["inventory_hostname == 'h3'"] })], {
      handlers: [handler('hd', 'handled')],
    }),
  ],
  '14-force-handlers.yml': [
    p('force_handlers runs handlers for failed hosts', 'h1,h2', [debug('change', 'c', { changed_when: [true], notify: ['hd'] }), fail('fail h1', 'x', { when: ["inventory_hostname == 'h1'"] })], {
      force_handlers: true,
      handlers: [handler('hd', 'handled')],
    }),
  ],
  '31-any-errors-fatal.yml': [
    p('any_errors_fatal stops everyone', 'all', [debug('first', 'first'), fail('fail on h2', 'fatal', { when: ["inventory_hostname == 'h2'"] }), debug('never reached', 'never')], { any_errors_fatal: true }),
    p('next play does not run', 'all', [debug(undefined, 'second-play')]),
  ],
  '32-max-fail-percentage.yml': [
    p(
      'max_fail_percentage',
      'all',
      [
        fail('fail one of four (25%)', 'one', { when: ["inventory_hostname == 'h1'"] }),
        debug('still running', 'running'),
        fail('fail another (50%)', 'two', { when: ["inventory_hostname == 'h2'"] }),
        debug('stopped', 'stopped'),
      ],
      { max_fail_percentage: 30 },
    ),
  ],
  '33-end-play-host.yml': [
    p('end_host and end_play', 'all', [
      meta('end h1', 'end_host', { when: ["inventory_hostname == 'h1'"] }),
      debug('others continue', 'continue'),
      meta('end play when first host says so', 'end_play', { when: ["inventory_hostname == 'h2'"] }),
      debug('never', 'never'),
    ]),
    p('second play runs', 'all', [debug('second play', 'second')]),
  ],
  '36-fail-module.yml': [
    p('fail module', 'all', [
      fail('fail default message', undefined, { when: ["inventory_hostname == 'h1'"] }),
      fail('fail custom message', 'custom {{ inventory_hostname }}', { when: ["inventory_hostname == 'h2'"] }),
      debug('others go on', 'on'),
    ]),
  ],
  '40-multi-play-failures.yml': [
    p('a host that fails is left out of later plays', 'all', [fail('fail h4', 'gone', { when: ["inventory_hostname == 'h4'"] })]),
    p('second play', 'all', [t('who is left', 'debug', { msg: '{{ ansible_play_hosts_all }}' })]),
  ],
  '41-all-hosts-fail.yml': [p('every host fails', 'web', [fail(undefined, 'all-down'), debug(undefined, 'never')]), p('playbook stops', 'db', [debug(undefined, 'never-either')])],
  '47-nested-always.yml': [
    p('an inner always runs before the outer rescue', 'h1,h2', [
      blk([blk([fail('boom', 'boom', { when: ["inventory_hostname == 'h1'"] })], { name: 'inner', always: [debug('inner always', 'inner-always')] }), debug('outer next', 'next')], {
        name: 'outer',
        rescue: [debug('outer rescue', 'rescued {{ ansible_failed_result.msg }}')],
      }),
    ]),
  ],
  '49-end-batch-clear-errors.yml': [
    p('end_batch with serial', 'all', [debug('before', '{{ ansible_play_batch }}'), meta('end this batch', 'end_batch', { when: ["inventory_hostname == 'h1'"] }), debug('after end_batch', 'after')], { serial: 2 }),
    p('clear_host_errors', 'h1,h2', [fail('fail h1', 'x', { when: ["inventory_hostname == 'h1'"] }), meta(undefined, 'clear_host_errors'), debug('h1 back', 'back')]),
  ],
  '50-aef-rescue.yml': [
    p('any_errors_fatal with a rescued failure', 'all', [blk([fail('fail on h3', 'rescued-fatal', { when: ["inventory_hostname == 'h3'"] })], { rescue: [debug('rescue', 'rescued')] }), debug('everyone continues', 'continue')], {
      any_errors_fatal: true,
    }),
  ],
  '20-serial.yml': [
    p('serial batches', 'all', [debug('batch', '{{ ansible_play_batch }}'), debug('play hosts', '{{ ansible_play_hosts }} {{ ansible_play_hosts_all }}')], { serial: 2 }),
  ],
  '21-serial-list.yml': [p('serial list and percentage', 'all', [debug('batch', "{{ ansible_play_batch | join(',') }}")], { serial: [1, '50%'] })],
  '22-run-once.yml': [
    p('run_once', 'all', [
      debug('once', 'ran on {{ inventory_hostname }}', { run_once: true, register: 'once_result' }),
      debug('everyone sees it', '{{ once_result.msg }}'),
      t('set_fact once', 'set_fact', { shared: 'from {{ inventory_hostname }}' }, { run_once: true }),
      debug('shared fact', '{{ shared }}'),
    ]),
  ],
  '28-until-retries.yml': [
    p('until and retries', 'h1,h2', [
      t('counter start', 'set_fact', { n: 0 }),
      debug('retry until attempts reach 3', 'attempt', { register: 'r', until: 'r.attempts | default(0) >= 3', retries: 5, delay: 0 }),
      debug('attempts', '{{ r.attempts }}'),
      debug('retry exhausted', 'never-true', { register: 'r2', until: 'false', retries: 2, delay: 0, ignore_errors: true }),
      debug('exhausted attempts', '{{ r2.attempts }} {{ r2.failed }}'),
    ]),
  ],
  '29-failed-changed-when.yml': [
    p('failed_when and changed_when', 'all', [
      debug('changed_when true', 'c', { changed_when: [true] }),
      debug('changed_when using result', '{{ inventory_hostname }}', { register: 'res', changed_when: ["res.msg == 'h2'"] }),
      debug('failed_when on result', '{{ inventory_hostname }}', { register: 'res2', failed_when: ["res2.msg in ['h3']"], ignore_errors: true }),
      fail('failed_when false hides a failure', 'hidden', { failed_when: [false] }),
      debug('failed_when list is AND', 'x', { failed_when: ["inventory_hostname == 'h4'", false] }),
      debug('after', 'after'),
    ]),
  ],
  '37-no-log.yml': [
    p('no_log hides results', 'h1', [
      debug('secret', 's3cret', { no_log: true, register: 's' }),
      debug('registered value is intact', '{{ s.msg }}'),
      debug('secret loop', '{{ item }}', { loop: ['a', 'b'], no_log: true }),
    ]),
  ],
  '43-throttle-order.yml': [
    p('order and throttle', 'all', [debug('throttled', '{{ inventory_hostname }}', { throttle: 1 }), debug('play hosts order', '{{ ansible_play_hosts_all }}')], { order: 'reverse_inventory' }),
  ],
  '02-when-chains.yml': [
    p(
      'when strings, lists and booleans',
      'all',
      [
        debug('string condition', 'web', { when: ["'web' in group_names"] }),
        debug('list condition (AND)', 'both', { when: ['enabled', 'count > 2', "inventory_hostname != 'h4'"] }),
        debug('bare false', 'never', { when: [false] }),
        debug('bare true', 'always', { when: [true] }),
        debug('defined test', 'port', { when: ['web_port is defined'] }),
        debug('or / not', 'either', { when: ["not enabled or db_role | default('') == 'replica'"] }),
      ],
      { vars: { enabled: true, count: 3 } },
    ),
  ],
  '10-nested-blocks.yml': [
    p('nested blocks with inherited when and vars', 'all', [
      blk(
        [
          debug(undefined, '{{ where }}'),
          blk([debug('inner task', '{{ where }}'), fail('inner fail', 'inner-fail', { when: ["inventory_hostname == 'h2'"] })], {
            name: 'inner',
            vars: { where: 'inner' },
            rescue: [debug('inner rescue', 'inner rescued on {{ inventory_hostname }}', { failed_when: ["inventory_hostname == 'h2'"] })],
          }),
        ],
        { name: 'outer', vars: { where: 'outer' }, when: ["inventory_hostname != 'h4'"], rescue: [debug('outer rescue', 'outer rescued')] },
      ),
      debug('end', 'end'),
    ]),
  ],
  '16-extra-vars-like.yml': [
    p('vars_files and lists of alternatives', 'all', [debug('common', '{{ common_value }}'), debug('per host or default', '{{ host_value }}')], {
      vars_files: ['vars/common.yml', ['vars/{{ inventory_hostname }}.yml', 'vars/default.yml']],
    }),
  ],
  '17-include-vars.yml': [
    p(
      'include_vars file, name and dir',
      'h1,h4',
      [
        t('load file', 'include_vars', { _raw_params: 'vars/common.yml' }),
        debug('include_vars beats play vars', '{{ common_value }}'),
        t('load under a name', 'include_vars', { file: 'vars/default.yml', name: 'loaded' }),
        debug(undefined, '{{ loaded.host_value }}'),
        t('load dir', 'include_vars', { dir: 'vars/dir' }),
        debug(undefined, '{{ d1 }} {{ d2 }}'),
      ],
      { vars: { common_value: 'play-level' } },
    ),
  ],
  '38-add-host-group-by.yml': [
    p('add_host and group_by', 'all', [
      t('group by role', 'group_by', { key: "kind_{{ db_role | default('web') }}" }),
      t('add a host', 'add_host', { name: 'h9', groups: ['added'], ansible_connection: 'local', marker: 'new' }, { run_once: true }),
    ]),
    p('use the dynamic groups', 'kind_primary:kind_replica', [debug('in dynamic group', '{{ group_names }}')]),
    p('use the added host', 'added', [debug('added host vars', '{{ marker }}')]),
  ],
  '44-set-stats.yml': [
    p('set_stats and ping', 'h1,h2', [
      t('stats', 'set_stats', { data: { migrated: 1 } }),
      t('ping', 'ping', {}),
      t('ping data', 'ping', { data: 'hi' }, { register: 'p' }),
      debug(undefined, '{{ p.ping }}'),
    ]),
  ],
};

const notifier = { name: 'notifier', path: join(CASES, 'roles/notifier'), defaults: {}, vars: {}, params: {}, id: 'notifier-1' };
HAND['45-handler-from-role.yml'] = [
  p('handlers notified from roles', 'h1', [debug('notify role handler by name', 'x', { changed_when: [true], notify: ['role handler'] })], {
    roles: [blk([debug('role change', 'role-change', { changed_when: [true], notify: ['role handler'], role: notifier })], { role: notifier, implicit: true })],
    handlers: [handler('role handler', 'handled in {{ role_name }}', { role: notifier })],
  }),
];

HAND['01-debug-basics.yml'] = [
  p(
    'debug msg and var',
    'all',
    [
      debug(undefined, '{{ greeting }} {{ inventory_hostname }}'),
      t(undefined, 'debug', { var: 'nested.b.c' }),
      t(undefined, 'debug', { var: 'nested.a' }),
      t('list message', 'debug', { msg: ['{{ greeting }}', '{{ inventory_hostname_short }}'] }),
      t('undefined var shows a marker', 'debug', { var: 'does_not_exist' }),
    ],
    { vars: { greeting: 'hello', nested: { a: [1, 2, 3], b: { c: 'deep' } } } },
  ),
];
HAND['03-loops.yml'] = [
  p('loop, with_items, loop_control', 'h1,h2', [
    debug('loop over list', 'item {{ item }}', { loop: ['a', 'b', 'c'] }),
    debug('with_items flattens', '{{ item }}', { loop: [1, 2, 3] }),
    debug('loop_var and index_var', '{{ idx }}={{ pkg }}', { loop: ['x', 'y'], loop_control: { loop_var: 'pkg', index_var: 'idx' } }),
    debug('label', '{{ item.name }}', { loop: [{ name: 'one', v: 1 }, { name: 'two', v: 2 }], loop_control: { label: '{{ item.name }}' } }),
    debug('loop with when per item', '{{ item }}', { loop: [1, 2, 3, 4], when: ['item % 2 == 0'] }),
    debug('empty loop', 'none', { loop: [] }),
  ]),
];
HAND['18-tags.yml'] = [
  p('tags', 'h1,h3', [
    debug('web task', 'web', { tags: ['web'] }),
    debug('db task', 'db', { tags: ['db'] }),
    debug('always task', 'always', { tags: ['always'] }),
    debug('never task', 'never', { tags: ['never'] }),
    debug('untagged', 'untagged'),
    blk([debug('inherits common', 'inherited'), debug('own tag too', 'own', { tags: ['extra'] })], { name: 'tagged block', tags: ['common'] }),
  ]),
];
HAND['19-skip-tags.yml'] = [
  p('skip tags', 'h2', [
    debug('fast', 'fast', { tags: ['fast'] }),
    debug('slow', 'slow', { tags: ['slow'] }),
    blk([debug('in slow block', 'x')], { name: 'slow block', tags: ['slow'] }),
    debug('plain', 'plain'),
    debug('never unless asked', 'never', { tags: ['never', 'debug'] }),
  ]),
];
HAND['25-import-when.yml'] = [
  p('when on import applies to each imported task', 'h1,h3', [
    t('set flag', 'set_fact', { flag: true }),
    blk([debug('first imported', 'flag is {{ flag }}'), t('flip flag on h1', 'set_fact', { flag: false }, { when: ["inventory_hostname == 'h1'"] }), debug('second imported', 'second')], {
      when: ['flag'],
      implicit: true,
    }),
  ]),
];
HAND['39-check-mode.yml'] = [p('check_mode task override', 'h1', [debug('check mode var', '{{ ansible_check_mode }}'), debug('task in check mode', '{{ ansible_check_mode }}', { check_mode: true })])];
HAND['42-environment.yml'] = [p('environment keyword and variable', 'h1', [debug('task env', '{{ environment }}', { environment: { TASK_LEVEL: 'task' } })], { environment: { PLAY_LEVEL: 'play' } })];

/** include_tasks files of cases/tasks, rebuilt by hand. */
const TASK_FILES: Record<string, TaskItem[]> = {
  'tasks/greet.yml': [debug('greet', 'hello {{ who }}')],
  'tasks/item.yml': [debug('per item', 'item {{ item }}')],
  'tasks/tagged.yml': [debug('inside untagged', 'inside'), debug('inside tagged', 'inside-tagged', { tags: ['inc'] })],
};
const memoryLoader: PlaybookLoader = {
  loadPlaybook: async () => ({ file: '', plays: [] }),
  loadIncludedTasks: async (file) => TASK_FILES[file] ?? Promise.reject(new Error(`no ${file}`)),
  loadIncludedRole: async () => Promise.reject(new Error('no roles')),
};
const inc = (name: string, args: Record<string, unknown>, extra: Partial<IncludeItem> = {}): IncludeItem => ({
  kind: 'include',
  action: 'include_tasks',
  actionAsWritten: 'include_tasks',
  name,
  args,
  loc,
  baseDir: CASES,
  ...extra,
});
HAND['24-include-tasks.yml'] = [
  p('include_tasks and import_tasks', 'all', [
    blk([debug('greet', 'hello {{ who }}')], { name: 'static import', vars: { who: 'imported' }, implicit: true }),
    inc('dynamic include', { _raw_params: 'tasks/greet.yml' }, { vars: { who: 'included' } }),
    inc('include with when', { _raw_params: 'tasks/greet.yml' }, { when: ["'db' in group_names"], vars: { who: 'db-only' } }),
    inc('include in loop', { _raw_params: 'tasks/item.yml' }, { loop: ['x', 'y'] }),
  ]),
];
HAND['46-include-tags.yml'] = [
  p('tags on a dynamic include apply to the include only', 'h1', [
    inc('tagged include', { _raw_params: 'tasks/tagged.yml' }, { tags: ['inc'] }),
    inc('include with apply', { file: 'tasks/tagged.yml', apply: { tags: 'inc' } }, { tags: ['inc'] }),
    blk(TASK_FILES['tasks/tagged.yml']!, { name: 'tagged import', tags: ['inc'], implicit: true }),
  ]),
];
HAND['51-free-localhost.yml'] = [
  p('free strategy', 'all', [debug('one', 'one {{ inventory_hostname }}'), fail('fail h2', 'free-fail', { when: ["inventory_hostname == 'h2'"] }), debug('two', 'two')], { strategy: 'free' }),
  p('implicit localhost', 'localhost', [debug('local', '{{ inventory_hostname }} {{ group_names }}'), debug('delegate in a loop', '{{ item }}', { delegate_to: '{{ item }}', loop: ['h1', 'localhost'] })]),
];
HAND['30-ignore-errors.yml'] = [
  p('ignore_errors', 'all', [
    fail('fail but ignore', 'ignored', { ignore_errors: true, register: 'f' }),
    debug('result is failed', '{{ f is failed }} {{ f.msg }}'),
    fail('ignore with a template', 'maybe', { ignore_errors: "{{ inventory_hostname != 'h4' }}" }),
    debug('survivors', 'alive'),
  ]),
];
HAND['23-delegate-localhost.yml'] = [
  p('delegate_to localhost aliases', 'h1,h2', [
    debug('delegated debug', 'for {{ inventory_hostname }}', { delegate_to: 'localhost' }),
    debug('delegate to another host', '{{ inventory_hostname }}', { delegate_to: 'h3' }),
    t('delegated set_fact with delegate_facts', 'set_fact', { got_delegated: 'yes' }, { delegate_to: 'h4', delegate_facts: true, run_once: true }),
    debug('h4 got it', "{{ hostvars['h4'].got_delegated | default('no') }} {{ got_delegated | default('no') }}"),
  ]),
];
HAND['07-register-set-fact.yml'] = [
  p('register and set_fact', 'all', [
    debug('register a debug', 'r-{{ inventory_hostname }}', { register: 'r' }),
    debug('use it', '{{ r.msg }} failed={{ r.failed }} changed={{ r.changed }}'),
    t('set facts', 'set_fact', { a: 1, b: '{{ r.msg | upper }}', flag: 'yes' }),
    debug('show facts', '{{ a + 1 }} {{ b }} {{ flag }}'),
    t('set_fact k=v', 'set_fact', { kv: 'hello', other: 'world' }),
    debug(undefined, '{{ kv }} {{ other }}'),
    t('cacheable', 'set_fact', { cached: 42, cacheable: true }),
    debug(undefined, '{{ cached }} {{ ansible_facts.cached }}'),
  ]),
];
HAND['15-precedence.yml'] = [
  p(
    'variable precedence',
    'all',
    [
      debug('play beats inventory', '{{ level }}'),
      debug('task vars beat play vars', '{{ shadow }}', { vars: { shadow: 'task' } }),
      blk([debug('block var', '{{ shadow }}'), debug('task beats block', '{{ shadow }}', { vars: { shadow: 'task-in-block' } })], { name: 'block vars', vars: { shadow: 'block' } }),
      t('set_fact beats play vars', 'set_fact', { shadow: 'fact' }),
      debug('fact wins over task vars', '{{ shadow }}', { vars: { shadow: 'task' } }),
      debug('inventory host var', "{{ web_port | default('none') }} {{ db_role | default('none') }}"),
    ],
    { vars: { level: 'play', play_only: 'p', shadow: 'play' } },
  ),
];
HAND['48-loop-failures.yml'] = [
  p(
    'loop items that fail',
    'h1,h2',
    [
      fail('one item fails', 'bad {{ item }}', { when: ['item == 2'], loop: [1, 2, 3], ignore_errors: true, register: 'lf' }),
      debug('aggregate', "{{ lf.failed }} {{ lf.msg }} {{ lf.results | map(attribute='skipped', default=false) | list }}"),
      debug('loop notifies once', '{{ item }}', { loop: ['a', 'b'], changed_when: [true], notify: ['once'] }),
      debug('run_once notifies all', 'r', { changed_when: [true], run_once: true, notify: ['ro'] }),
    ],
    { handlers: [handler('once', 'handled-once'), handler('ro', 'ro on {{ inventory_hostname }}')] },
  ),
];
const role = (name: string, id: string, defaults: Record<string, unknown> = {}, vars: Record<string, unknown> = {}, params: Record<string, unknown> = {}) => ({
  name,
  path: join(CASES, 'roles', name),
  defaults,
  vars,
  params,
  id,
});
const base = role('base', 'base-1', { base_value: 'b' });
const baseBlock = () => blk([debug('base task', 'base {{ base_value }}', { role: base })], { role: base, implicit: true });
const greeterTasks = (r: ReturnType<typeof role>) => [debug('greet', '{{ greeting }} from {{ role_name }}', { role: r }), debug('internal', '{{ greeter_internal }}', { role: r })];
const greeter1 = role('greeter', 'greeter-1', { greeting: 'hello' }, { greeter_internal: 'internal-value' });
const greeter2 = role('greeter', 'greeter-2', { greeting: 'hello' }, { greeter_internal: 'internal-value' }, { greeting: 'bonjour' });
HAND['26-roles.yml'] = [
  p('roles with defaults, vars, params and deps', 'h1,h2', [debug('role vars visible in play', '{{ greeter_internal }}'), debug('role default visible in play', '{{ greeting }}')], {
    roles: [baseBlock(), blk(greeterTasks(greeter1), { role: greeter1, implicit: true }), baseBlock(), blk(greeterTasks(greeter2), { role: greeter2, implicit: true })],
  }),
];
const counter = role('counter', 'counter-1', { counter_start: 10 });
const greeter3 = role('greeter', 'greeter-3', { greeting: 'hello' }, { greeter_internal: 'internal-value' });
const roleLoader: PlaybookLoader = {
  ...memoryLoader,
  loadIncludedRole: async (args) => {
    if (args.name === 'greeter') return { role: greeter3, block: blk([baseBlock(), ...greeterTasks(greeter3)], { role: greeter3 }), handlers: [] };
    return { role: counter, block: blk([debug('count', 'count from {{ counter_start }}', { role: counter })], { role: counter }), handlers: [] };
  },
};
HAND['27-include-role.yml'] = [
  p('include_role and import_role', 'h3', [
    blk([debug('base task', 'base {{ base_value }}', { role: base })], { name: 'import role', role: base, implicit: true }),
    { ...inc('include role', { name: 'greeter' }, { vars: { greeting: 'hola' } }), action: 'include_role', actionAsWritten: 'include_role' },
    { ...inc('include role tasks_from', { name: 'counter', tasks_from: 'count' }), action: 'include_role', actionAsWritten: 'include_role' },
    debug('default of included role after include', "{{ counter_start | default('not visible') }}"),
  ]),
];
HAND['05-loop-extended.yml'] = [
  p('loop_control extended', 'h1', [
    debug('extended loop info', '{{ ansible_loop.index }}/{{ ansible_loop.length }} first={{ ansible_loop.first }} last={{ ansible_loop.last }} rev={{ ansible_loop.revindex }}', {
      loop: ['a', 'b', 'c'],
      loop_control: { extended: true },
    }),
    debug('previtem and nextitem', "{{ ansible_loop.previtem | default('-') }} {{ ansible_loop.nextitem | default('-') }}", { loop: ['a', 'b', 'c'], loop_control: { extended: true } }),
    debug('nested data loop', '{{ item[0] }}-{{ item[1] }}', { loop: [['x', 1], ['x', 2], ['y', 1], ['y', 2]] }),
  ]),
];
HAND['35-assert.yml'] = [
  p(
    'assert',
    'all',
    [
      t('passes', 'assert', { that: ['n > 3', 'n is number'] }),
      t('success message', 'assert', { that: 'n == 5', success_msg: 'five' }),
      t('fails on db', 'assert', { that: "'web' in group_names", fail_msg: '{{ inventory_hostname }} is not web' }, { ignore_errors: true, register: 'a' }),
      debug('assertion details', "{{ a.assertion | default('') }} {{ a.evaluated_to | default('') }}"),
      t('quiet', 'assert', { that: true, quiet: true }),
    ],
    { vars: { n: 5 } },
  ),
];
HAND['52-handler-chain.yml'] = [
  p('handlers notifying handlers', 'h1', [debug('start', 'start', { changed_when: [true], notify: ['second'] })], {
    handlers: [handler('first', 'first'), handler('second', 'second', { changed_when: [true], notify: ['first', 'third'] }), handler('third', 'third')],
  }),
];
const ARGS: Record<string, CaseArgs> = { '18-tags.yml': { tags: ['web', 'common'] }, '19-skip-tags.yml': { skipTags: ['slow'] }, '46-include-tags.yml': { tags: ['inc'] } };

const failures = new Map<string, string[]>();

describe.skipIf(!existsSync('/usr/bin/ansible-playbook'))('executor semantics against ansible-playbook (hand-built plays)', () => {
  afterAll(() => {
    const n = Object.keys(HAND).length;
    const lines = [`executor differential: ${n - failures.size} passed, ${failures.size} failed`];
    for (const [f, d] of failures) lines.push(`  ${f}:`, ...d.map((x) => `    ${x}`));
    console.log(lines.join('\n'));
  });

  it.each(Object.keys(HAND))('%s', async (file) => {
    expect(existsSync(join(CASES, file))).toBe(true);
    const args = ARGS[file] ?? {};
    const [ansible, philote] = await Promise.all([runAnsible(file, args), runPhilote(file, args, { plays: HAND[file]!, deps: { templar: createTemplar(), loader: roleLoader } })]);
    const diffs = compare(ansible, philote);
    if (diffs.length) failures.set(file, diffs);
    expect(diffs).toEqual([]);
  }, 60_000);
});

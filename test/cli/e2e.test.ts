/**
 * End-to-end: `philote playbook ...` (src/cli/main.ts `run`, in-process) against
 * `ansible-playbook` 2.14 on the same files, inventory and flags, on local-connection hosts:
 * exit codes, the default callback's output (TASK/PLAY RECAP lines, ok/changed/fatal lines,
 * -v result dicts), listings, --check/--diff, -e, --limit, --start-at-task, tags, forks, and
 * the errors reported before anything runs. Once as a child process (bin/philote.js) for
 * Ctrl-C. ansible-playbook's output is cached by fixture content and flags (tmpdir), so only
 * the first run pays for it.
 *
 * Host lines of one task are compared as a set: hosts run in parallel and report in any order.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const FIXTURES = fileURLToPath(new URL('./e2e/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ANSIBLE = '/usr/bin/ansible-playbook';

interface Run {
  code: number;
  out: string;
  err: string;
}

let dir = '';

/** A fresh copy of the fixtures, an inventory with a host that refuses connections, a key for it. */
function setUp(): void {
  dir = mkdtempSync(join(tmpdir(), 'philote-e2e-'));
  cpSync(FIXTURES, dir, { recursive: true });
  const key = ssh2.utils.generateKeyPairSync('ed25519');
  writeFileSync(join(dir, 'key'), key.private, { mode: 0o600 });
  writeFileSync(
    join(dir, 'inventory.ini'),
    [
      '[local]',
      'h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3',
      'h2 ansible_connection=local ansible_python_interpreter=/usr/bin/python3',
      '[down]',
      // Nothing listens on port 1 of the loopback: the connection is refused at once.
      `ghost ansible_host=127.0.0.1 ansible_port=1 ansible_user=nobody ansible_ssh_private_key_file=${join(dir, 'key')}`,
      '',
    ].join('\n'),
  );
  resetWork();
}

function resetWork(): void {
  rmSync(join(dir, 'work'), { recursive: true, force: true });
  mkdirSync(join(dir, 'work'));
  writeFileSync(join(dir, 'work', 'f.txt'), 'a\nb\n');
}

function env(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    LANG: 'C.UTF-8',
    ANSIBLE_NOCOLOR: '1',
    NO_COLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: '0',
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    ANSIBLE_LOCAL_TEMP: join(tmpdir(), 'philote-ansible-tmp'),
    ANSIBLE_HOME: join(tmpdir(), 'philote-ansible-home'),
  };
}

/** Paths and timings out; each task's host entries sorted (an entry is a host line and its continuation). */
function normalise(text: string, ordered = false): string {
  const t = text
    .split(dir)
    .join('<dir>')
    .replace(/"(delta|start|end)": "[^"]*"/g, '"$1": "X"')
    .replace(/^\+\+\+ after: \S*ansible-local-\S*$/gm, '+++ after: dynamically generated')
    // "included: <file> for h2, h1": the hosts in the order their results came in.
    .replace(/^(included: \S+ for )([^=\n]+?)( =>.*)?$/gm, (_m, a: string, hosts: string, rest?: string) => a + hosts.split(', ').sort().join(', ') + (rest ?? ''));
  if (ordered) return t;
  const lines = t.split('\n');
  const out: string[] = [];
  let entries: string[][] = [];
  const flush = () => {
    out.push(...entries.sort((a, b) => a.join('\n').localeCompare(b.join('\n'))).flat());
    entries = [];
  };
  for (const line of lines) {
    if (/^(ok|changed|skipping|fatal|failed|included|FAILED - RETRYING): \[/.test(line)) entries.push([line]);
    else if (line === '' || /^(TASK|PLAY|RUNNING HANDLER|NO MORE HOSTS)/.test(line) || /^\S+\s+: ok=/.test(line)) {
      flush();
      out.push(line);
    } else if (entries.length) entries[entries.length - 1]!.push(line);
    else out.push(line);
  }
  flush();
  return out.join('\n');
}

function treeHash(d: string, h = createHash('sha256')): ReturnType<typeof createHash> {
  for (const name of readdirSync(d).sort()) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) treeHash(p, h.update(name));
    else h.update(name).update(readFileSync(p));
  }
  return h;
}

const fixturesHash = treeHash(FIXTURES).update(ROOT).digest('hex');
const CACHE = join(tmpdir(), 'philote-cli-e2e-cache');
const ansibleRuns = new Map<string, Promise<Run>>();

function ansibleUncached(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(ANSIBLE, args, { cwd: dir, env: env(), maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      // Python's parser warns about some random temp folder names it literal_evals (the INI inventory's
      // key path, e.g. ".../philote-e2e-1a2b/key"): an artefact of the run's folder name, not ansible's output.
      const pyWarning = /^<unknown>:\d+: SyntaxWarning: .*\n/gm;
      resolve({ code, out: stdout.split(dir).join('<dir>'), err: stderr.replace(pyWarning, '').split(dir).join('<dir>') });
    });
  });
}

/** ansible-playbook's run for these flags, from the cache when the fixtures have not changed. */
function ansible(args: string[]): Promise<Run> {
  const key = createHash('sha256').update(fixturesHash).update(JSON.stringify(args)).digest('hex').slice(0, 24);
  let p = ansibleRuns.get(key);
  if (p) return p;
  const file = join(CACHE, `${key}.json`);
  if (existsSync(file)) p = Promise.resolve(JSON.parse(readFileSync(file, 'utf8')) as Run);
  else {
    p = ansibleUncached(args).then((r) => {
      mkdirSync(CACHE, { recursive: true });
      writeFileSync(file, JSON.stringify(r));
      return r;
    });
  }
  ansibleRuns.set(key, p);
  return p;
}

async function philote(args: string[]): Promise<Run> {
  const r = await runCli(['playbook', ...args], { cwd: dir, env: env() });
  return { code: r.code, out: r.out.split(dir).join('<dir>'), err: r.err.split(dir).join('<dir>') };
}

const INV = ['-i', 'inventory.ini'];

/** Flags run by the tests below whose ansible-playbook output does not depend on state: fetched in parallel up front. */
const PREFETCH: string[][] = [
  [...INV, 'basic.yml'],
  [...INV, 'basic.yml', '-v'],
  [...INV, 'ok.yml'],
  [...INV, 'unreachable.yml'],
  [...INV, 'fatal.yml'],
  [...INV, 'maxfail.yml'],
  [...INV, 'allfail.yml', 'ok.yml'],
  [...INV, 'ok.yml', 'ok.yml'],
  [...INV, 'basic.yml', '--list-hosts'],
  [...INV, 'tags.yml', '--list-tasks', '--tags', 'a,blk'],
  [...INV, 'tags.yml', '--list-tags', '--skip-tags', 'a'],
  [...INV, 'basic.yml', 'tags.yml', '--syntax-check'],
  [...INV, 'checkdiff.yml', '--check', '--diff'],
  [...INV, 'vars.yml', '-e', 'who=kv', '-e', 'n=3'],
  [...INV, 'vars.yml', '-e', '@vars.json', '-e', '{"n": 3, "b": true}'],
  [...INV, 'vars.yml', '-e', '@vars.yaml', '-e', 'n=4 b=yes'],
  [...INV, 'vars.yml', '-e', '@missing.yml'],
  [...INV, 'basic.yml', '--limit', '@retry.txt'],
  [...INV, 'basic.yml', '--limit', '@missing.txt'],
  [...INV, 'basic.yml', '--limit', 'nosuchhost'],
  [...INV, 'basic.yml', '--start-at-task', 'only on h1'],
  [...INV, 'basic.yml', '--start-at-task', 'no such task'],
  [...INV, 'tags.yml', '--tags', 'a'],
  [...INV, 'tags.yml', '--skip-tags', 'b,blk'],
  [...INV, 'tags.yml', '--tags', 'debugonly'],
  [...INV, 'tags.yml', '--tags', 'tagged', '--skip-tags', 'always'],
  [...INV, 'basic.yml', '-f', '1'],
  [...INV, 'basic.yml', '-f', '0'],
  [...INV, 'errors-run.yml'],
  [...INV, 'nosuch.yml'],
  [...INV, 'roles.yml'],
  [...INV, 'vars.yml', '-e', './vars.yaml'],
  ...['yaml-quote', 'yaml-unquoted', 'yaml-indent', 'keyword', 'module', 'argtype', 'play-keyword'].map((b) => [...INV, `bad/${b}.yml`]),
];

beforeAll(async () => {
  setUp();
  // Three ansible-playbook processes at a time (each takes about a second to start).
  const queue = [...PREFETCH];
  await Promise.all([0, 1, 2].map(async () => {
    for (let a = queue.shift(); a; a = queue.shift()) await ansible(a);
  }));
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs both; same exit code, same stdout (normalised), same stderr unless told otherwise. */
async function same(args: string[], opts: { ordered?: boolean; stderr?: boolean } = {}): Promise<{ a: Run; p: Run }> {
  const a = await ansible(args);
  const p = await philote(args);
  expect({ code: p.code, out: normalise(p.out, opts.ordered) }).toEqual({ code: a.code, out: normalise(a.out, opts.ordered) });
  if (opts.stderr !== false) expect(p.err).toBe(a.err);
  return { a, p };
}

describe('philote playbook against ansible-playbook: runs and exit codes', () => {
  it('ok, changed, skipping and fatal lines, the recap, exit 2 when a host failed', async () => {
    const { p } = await same([...INV, 'basic.yml']);
    expect(p.code).toBe(2);
    expect(p.out).toContain('fatal: [h2]: FAILED! => {"changed": false, "msg": "boom"}');
    expect(p.out).toMatch(/^h2 +: ok=2 +changed=1 +unreachable=0 +failed=1 +skipped=1 +rescued=0 +ignored=0/m);
  });

  it('-v prints result dicts', async () => {
    const { p } = await same([...INV, 'basic.yml', '-v']);
    expect(p.out).toContain('changed: [h1] => {"changed": true, "cmd": ["echo", "changed"]');
    expect(p.out).toContain('skipping: [h1] => {"changed": false, "skip_reason": "Conditional result was False"}');
  });

  it('exit 0 when all is well', async () => {
    expect((await same([...INV, 'ok.yml'])).p.code).toBe(0);
  });

  it('exit 4 for an unreachable host (connection refused on the loopback), in the words of OpenSSH', async () => {
    const { p } = await same([...INV, 'unreachable.yml']);
    expect(p.code).toBe(4);
    expect(p.out).toContain('fatal: [ghost]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh: ssh: connect to host 127.0.0.1 port 1: Connection refused", "unreachable": true}');
  });

  it('any_errors_fatal: NO MORE HOSTS LEFT once, exit 2 even though the host was unreachable', async () => {
    const { p } = await same([...INV, 'fatal.yml']);
    expect(p.code).toBe(2);
    expect(p.out.match(/NO MORE HOSTS LEFT/g)).toHaveLength(1);
  });

  it('max_fail_percentage: NO MORE HOSTS LEFT twice, as 2.14 prints it', async () => {
    const { p } = await same([...INV, 'maxfail.yml']);
    expect(p.out.match(/NO MORE HOSTS LEFT/g)).toHaveLength(2);
  });

  it('every host failing ends the run without a banner, and the next playbook file is not run', async () => {
    const { p } = await same([...INV, 'allfail.yml', 'ok.yml']);
    expect(p.out).not.toContain('NO MORE HOSTS LEFT');
    expect(p.out).not.toContain('second play');
  });

  it('a role default named like a keyword warns when the play starts, as ansible-core 2.14 does', async () => {
    const { p } = await same([...INV, 'reserved-role-default.yml']);
    expect(p.err).toContain('[WARNING]: Found variable using reserved name: port');
    expect(p.out).toContain('"msg": "port 6443"');
  });

  it('a recap after each playbook file', async () => {
    const { p } = await same([...INV, 'ok.yml', 'ok.yml']);
    expect(p.out.match(/PLAY RECAP/g)).toHaveLength(2);
  });

  it('roles: dependencies once per play, include_role/import_role roles every time; include lines; rescued failures not counted as changed', async () => {
    const { p } = await same([...INV, 'roles.yml']);
    expect(p.out).toContain('TASK [include_role : db] ***');
    expect(p.out).toContain('included: <dir>/tasks/inc.yml for h1, h2 => (item=2)\n');
    expect(p.out).toContain("ok: [h1] => (item={'a': 2, 'b': [1, True]})");
    expect(p.out.match(/TASK \[common : common task\]/g)).toHaveLength(2);
    expect(p.out).toMatch(/^h1 +: ok=19 +changed=1 +unreachable=0 +failed=0 +skipped=0 +rescued=1 +ignored=1/m);
  });

  it('a missing playbook: exit 1', async () => {
    expect((await same([...INV, 'nosuch.yml'])).p.code).toBe(1);
  });
});

describe('listings', () => {
  it('--list-hosts (ansible-core lists a set: the order of the hosts varies)', async () => {
    const args = [...INV, 'basic.yml', '--list-hosts'];
    const [a, p] = [await ansible(args), await philote(args)];
    const lines = (s: string) => s.split('\n').sort();
    expect([p.code, lines(p.out), p.err]).toEqual([a.code, lines(a.out), a.err]);
    expect(p.out).toContain('    hosts (2):\n      h1\n      h2\n');
  });
  it('--list-tasks with --tags', async () => {
    await same([...INV, 'tags.yml', '--list-tasks', '--tags', 'a,blk'], { ordered: true });
  });
  it('--list-tags with --skip-tags', async () => {
    await same([...INV, 'tags.yml', '--list-tags', '--skip-tags', 'a'], { ordered: true });
  });
  it('--syntax-check of two playbooks', async () => {
    await same([...INV, 'basic.yml', 'tags.yml', '--syntax-check'], { ordered: true });
  });
});

describe('flags', () => {
  it('--check --diff: diffs, nothing changed, check_mode: false still runs', async () => {
    resetWork();
    const { p } = await same([...INV, 'checkdiff.yml', '--check', '--diff']);
    expect(p.out).toContain('+c\n');
    expect(p.out).toContain('"msg": "True True"');
    expect(existsSync(join(dir, 'work', 'new.txt'))).toBe(false);
    expect(readFileSync(join(dir, 'work', 'f.txt'), 'utf8')).toBe('a\nb\n');
  });

  it('-e key=value (strings)', async () => {
    expect((await same([...INV, 'vars.yml', '-e', 'who=kv', '-e', 'n=3'])).p.out).toContain('"msg": "kv 3 {} []"');
  });
  it('-e @file.json and inline JSON (typed)', async () => {
    expect((await same([...INV, 'vars.yml', '-e', '@vars.json', '-e', '{"n": 3, "b": true}'])).p.out).toContain('"msg": "True True"');
  });
  it('-e @file.yaml and several k=v in one -e', async () => {
    await same([...INV, 'vars.yml', '-e', '@vars.yaml', '-e', 'n=4 b=yes']);
  });
  it('-e with a file name but no @: exit 5', async () => {
    const a = await ansible([...INV, 'vars.yml', '-e', './vars.yaml']);
    const p = await philote([...INV, 'vars.yml', '-e', './vars.yaml']);
    expect([p.code, a.code]).toEqual([5, 5]);
    // ansible-core prints its whole usage text before the error; philote the error only.
    expect(a.err).toContain("ERROR! Please prepend extra_vars filename './vars.yaml' with '@'");
    expect(p.err).toBe("ERROR! Please prepend extra_vars filename './vars.yaml' with '@'\n");
  });

  it('-e @missing: exit 1', async () => {
    const a = await ansible([...INV, 'vars.yml', '-e', '@missing.yml']);
    const p = await philote([...INV, 'vars.yml', '-e', '@missing.yml']);
    expect(p.code).toBe(a.code);
    expect(p.code).toBe(1);
    // ansible-core also tries the -e value as an inventory and warns about it; only the error is compared.
    expect(p.err).toBe(a.err.slice(a.err.indexOf('ERROR!')).replace(/\nIf you are using a module.*\n$/s, '\n'));
  });

  it('--limit @file (a retry file)', async () => {
    expect((await same([...INV, 'basic.yml', '--limit', '@retry.txt'])).p.out).not.toContain('[h1]');
  });
  it('--limit @missing: exit 1', async () => {
    expect((await same([...INV, 'basic.yml', '--limit', '@missing.txt'])).p.code).toBe(1);
  });
  it('--limit that matches nothing: exit 1', async () => {
    expect((await same([...INV, 'basic.yml', '--limit', 'nosuchhost'])).p.code).toBe(1);
  });

  it('--start-at-task', async () => {
    expect((await same([...INV, 'basic.yml', '--start-at-task', 'only on h1'])).p.out).not.toContain('say hi');
  });
  it('--start-at-task naming no task says so', async () => {
    const { p } = await same([...INV, 'basic.yml', '--start-at-task', 'no such task']);
    expect(p.err).toContain(' [ERROR]: No matching task "no such task" found.');
  });

  it.each([
    [['--tags', 'a']],
    [['--skip-tags', 'b,blk']],
    [['--tags', 'debugonly']],
    [['--tags', 'tagged', '--skip-tags', 'always']],
  ])('tags %j', async (flags) => {
    await same([...INV, 'tags.yml', ...flags]);
  });

  it('-f 1 runs the hosts one by one, in inventory order', async () => {
    await same([...INV, 'basic.yml', '-f', '1'], { ordered: true });
  });
  it('-f 0 is a usage error (exit 2)', async () => {
    const a = await ansible([...INV, 'basic.yml', '-f', '0']);
    const p = await philote([...INV, 'basic.yml', '-f', '0']);
    expect(p.code).toBe(a.code);
    expect(a.err).toContain('The number of processes (--forks) must be >= 1');
    expect(p.err).toContain('The number of processes (--forks) must be >= 1');
  });
});

describe('errors', () => {
  it('run-time: undefined variables and conditionals that fail, with the task position', async () => {
    const { p } = await same([...INV, 'errors-run.yml']);
    expect(p.out).toContain(
      "The conditional check 'nosuch.attr == 1' failed. The error was: error while evaluating conditional (nosuch.attr == 1): 'nosuch' is undefined. 'nosuch' is undefined\\n\\nThe error appears to be in '<dir>/errors-run.yml': line 15, column 7",
    );
    expect(p.out).toContain("The task includes an option with an undefined variable. The error was: 'nosuchvar' is undefined. 'nosuchvar' is undefined\\n\\nThe error appears to be in '<dir>/errors-run.yml': line 7, column 7");
  });

  it('YAML syntax errors exit 4 at the same position', async () => {
    for (const f of ['yaml-quote', 'yaml-unquoted', 'yaml-indent']) {
      const a = await ansible([...INV, `bad/${f}.yml`]);
      const p = await philote([...INV, `bad/${f}.yml`]);
      expect(p.code).toBe(4);
      expect(a.code).toBe(4);
      // ansible-core's PyYAML and philote's parser word the problem differently; the position and remedy agree.
      const from = (s: string) => s.slice(s.indexOf('The error appears to be in'));
      expect(from(p.err)).toBe(from(a.err));
    }
  });

  it('a role that does not exist, in import_role (at load, exit 1) and include_role (the hosts fail, exit 2): ERROR! at the name\'s value', async () => {
    // The searched path's second entry is each side's own home for roles (the tests give the two
    // tools different homes): the rest must be the same.
    const home = (s: string) => s.replace(/(was not found in [^:]*:)[^:]*:/, '$1<home roles>:');
    const imp = await same([...INV, 'bad/import-role-missing.yml'], { stderr: false });
    expect(home(imp.p.err)).toBe(home(imp.a.err));
    expect(imp.p.code).toBe(1);
    expect(imp.p.err).toContain("ERROR! the role 'nosuchrole' was not found in ");
    expect(imp.p.err).toContain("'<dir>/bad/import-role-missing.yml': line 6, column 15");
    const inc = await same([...INV, 'bad/include-role-missing.yml'], { stderr: false });
    expect(home(inc.p.err)).toBe(home(inc.a.err));
    expect(inc.p.code).toBe(2);
    expect(inc.p.err).toContain("'<dir>/bad/include-role-missing.yml': line 6, column 15");
    expect(inc.p.out).not.toContain('not reached');
  });

  it('a misspelt task keyword: conflicting action statements, with a did-you-mean', async () => {
    const a = await ansible([...INV, 'bad/keyword.yml']);
    const p = await philote([...INV, 'bad/keyword.yml']);
    expect([p.code, a.code]).toEqual([4, 4]);
    expect(a.err).toContain('ERROR! conflicting action statements: debug, whenn\n');
    expect(p.err).toContain("ERROR! conflicting action statements: debug, whenn (did you mean 'when'?)\n");
    expect(p.err).toContain("'<dir>/bad/keyword.yml': line 7, column 7");
  });

  it('a misspelt play keyword', async () => {
    const a = await ansible([...INV, 'bad/play-keyword.yml']);
    const p = await philote([...INV, 'bad/play-keyword.yml']);
    expect([p.code, a.code]).toEqual([4, 4]);
    expect(p.err).toContain("ERROR! 'taks' is not a valid attribute for a Play (did you mean 'tasks'?)");
    expect(p.err).toContain("'<dir>/bad/play-keyword.yml': line 3, column 3");
  });

  it('an unknown module, before anything runs, with a did-you-mean', async () => {
    const a = await ansible([...INV, 'bad/module.yml']);
    const p = await philote([...INV, 'bad/module.yml']);
    expect([p.code, a.code]).toEqual([4, 4]);
    expect(p.out).toBe('');
    const msg = "ERROR! couldn't resolve module/action 'lineinfle'. This often indicates a misspelling, missing collection, or incorrect module path.";
    expect(a.err).toContain(msg);
    expect(p.err).toContain(`${msg} (did you mean 'lineinfile'?)`);
    // ansible-core points at the previous task here (its k=v heuristic); philote at the module.
    expect(p.err).toContain("'<dir>/bad/module.yml': line 8, column 7");
  });

  it('an argument of the wrong type, refused before anything runs (ansible-core fails at run time)', async () => {
    const a = await ansible([...INV, 'bad/argtype.yml']);
    const p = await philote([...INV, 'bad/argtype.yml']);
    expect(a.code).toBe(2);
    expect(a.out).toContain("invalid literal for int() with base 10: 'lots'");
    expect(p.code).toBe(4);
    expect(p.out).toBe('');
    expect(p.err).toContain("ERROR! debug: argument 'verbosity' is of type <class 'str'> and we were unable to convert to int");
    expect(p.err).toContain("'<dir>/bad/argtype.yml': line 10, column 9");
  });
});

describe('bin/philote.js as a child process', () => {
  it('Ctrl-C: the running task finishes, nothing more is dispatched, the recap is printed, exit 99', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'philote.js'), 'playbook', ...INV, 'long.yml'], {
      cwd: dir,
      env: { ...env(), PHILOTE_FROM_SOURCE: '1' },
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('TASK [long]') && !child.killed) setTimeout(() => child.kill('SIGINT'), 300);
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(99);
    expect(out).toContain('changed: [h1]');
    expect(out).not.toContain('not reached');
    expect(out).toMatch(/PLAY RECAP \*+\nh1 +: ok=2 +changed=1 +unreachable=0 +failed=0/);
    expect(err).toBe(' [ERROR]: User interrupted execution\n');
  }, 30_000);

  it('more hosts than 10 at once print nothing to stderr (no listener-leak warning from Node)', async () => {
    // Each running task listens for Ctrl-C on the run's signal: 12 forks are 12 listeners at once.
    const hosts = Array.from({ length: 12 }, (_, i) => `m${i} ansible_connection=local`);
    writeFileSync(join(dir, 'many.ini'), ['[many]', ...hosts, ''].join('\n'));
    writeFileSync(join(dir, 'many.yml'), '- hosts: many\n  gather_facts: false\n  tasks:\n    - command: "true"\n');
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'philote.js'), 'playbook', '-i', 'many.ini', '-f', '12', 'many.yml'], {
      cwd: dir,
      env: { ...env(), PHILOTE_FROM_SOURCE: '1' },
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(out.match(/changed: \[m\d+\]/g)).toHaveLength(12);
    expect(err).toBe('');
  }, 30_000);
});

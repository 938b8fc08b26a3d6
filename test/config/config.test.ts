import { describe, it, expect, beforeEach } from 'vitest';
import { writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, parseCfg } from '../../src/config/index.js';
import { PhiloteError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: string;
let home: string;
beforeEach(() => {
  dir = tempDir('philote-cfg-');
  home = tempDir('philote-home-');
});

const cfg = (text: string, where = dir) => {
  writeFileSync(join(where, 'ansible.cfg'), text);
  return join(where, 'ansible.cfg');
};

describe('parseCfg (configparser semantics)', () => {
  it('reads = and : delimiters, lower-cases keys, strips ; inline comments only after whitespace', () => {
    const s = parseCfg('[defaults]\nForks = 7\nremote_user: bob ; the user\nx = a;b\ny = has # hash\n', 'f');
    const d = s.get('defaults')!;
    expect(d.get('forks')!.value).toBe('7');
    expect(d.get('remote_user')!.value).toBe('bob');
    expect(d.get('x')!.value).toBe('a;b');
    expect(d.get('y')!.value).toBe('has # hash');
  });
  it('joins indented continuation lines', () => {
    const s = parseCfg('[defaults]\nroles_path = a\n   b\n# c\nforks=3\n', 'f');
    expect(s.get('defaults')!.get('roles_path')!.value).toBe('a\nb');
    expect(s.get('defaults')!.get('forks')!.value).toBe('3');
  });
  it('refuses a duplicate key with its location', () => {
    try {
      parseCfg('[defaults]\nforks=1\nforks=2\n', '/x/ansible.cfg');
      expect.fail('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(PhiloteError);
      expect((e as PhiloteError).kind).toBe('option');
      expect((e as PhiloteError).location).toEqual({ file: '/x/ansible.cfg', line: 3, column: 1 });
      expect((e as PhiloteError).message).toContain("option 'forks' in section 'defaults' already exists");
    }
  });
  it('refuses keys before any section', () => {
    expect(() => parseCfg('forks=1\n', 'f')).toThrow(/no section headers/);
  });
});

describe('loadConfig', () => {
  it('uses defaults without any file', () => {
    const c = loadConfig({ env: { HOME: home }, cwd: dir });
    expect(c.configFile).toBeUndefined();
    expect(c.forks).toBe(5);
    expect(c.inventory).toEqual(['/etc/ansible/hosts']);
    expect(c.hostKeyChecking).toBe(true);
    expect(c.timeout).toBe(10);
    expect(c.becomeUser).toBe('root');
    expect(c.becomeMethod).toBe('sudo');
    expect(c.gathering).toBe('implicit');
    expect(c.stdoutCallback).toBe('default');
    expect(c.rolesPath).toEqual([join(home, '.ansible/roles'), '/usr/share/ansible/roles', '/etc/ansible/roles']);
  });

  it('finds ./ansible.cfg and reads every supported key, resolving paths against the file', () => {
    const file = cfg(`[defaults]
inventory = inventory/hosts.ini, /abs/inv
forks = 20
remote_user = ubuntu
private_key_file = ~/.ssh/id_k3s
host_key_checking = False
roles_path = roles:/opt/roles
timeout = 30
gathering = explicit
stdout_callback = json
log_path = ./philote.log
callback_result_format = yaml

[privilege_escalation]
become = yes
become_user = admin
become_method = su

[ssh_connection]
ssh_args = -o ControlMaster=auto
pipelining = True
retries = 3
`);
    const c = loadConfig({ env: { HOME: home }, cwd: dir });
    expect(c.configFile).toBe(file);
    expect(c.inventory).toEqual([join(dir, 'inventory/hosts.ini'), '/abs/inv']);
    expect(c.forks).toBe(20);
    expect(c.remoteUser).toBe('ubuntu');
    expect(c.privateKeyFile).toBe(join(home, '.ssh/id_k3s'));
    expect(c.hostKeyChecking).toBe(false);
    expect(c.rolesPath).toEqual([join(dir, 'roles'), '/opt/roles']);
    expect(c.timeout).toBe(30);
    expect(c.gathering).toBe('explicit');
    expect(c.stdoutCallback).toBe('json');
    expect(c.logPath).toBe(join(dir, 'philote.log'));
    expect(c.callbackResultFormat).toBe('yaml');
    expect(c.become).toBe(true);
    expect(c.becomeUser).toBe('admin');
    expect(c.becomeMethod).toBe('su');
    expect(c.sshArgs).toBe('-o ControlMaster=auto');
    expect(c.pipelining).toBe(true);
    expect(c.sshRetries).toBe(3);
  });

  it('ANSIBLE_CONFIG wins over ./ansible.cfg, and may name a directory', () => {
    cfg('[defaults]\nforks=2\n');
    const other = tempDir('philote-cfg2-');
    cfg('[defaults]\nforks=9\n', other);
    expect(loadConfig({ env: { HOME: home, ANSIBLE_CONFIG: join(other, 'ansible.cfg') }, cwd: dir }).forks).toBe(9);
    expect(loadConfig({ env: { HOME: home, ANSIBLE_CONFIG: other }, cwd: dir }).forks).toBe(9);
  });

  it('falls back to ~/.ansible.cfg', () => {
    writeFileSync(join(home, '.ansible.cfg'), '[defaults]\nforks=4\n');
    const c = loadConfig({ env: { HOME: home }, cwd: dir });
    expect(c.forks).toBe(4);
    expect(c.configFile).toBe(join(home, '.ansible.cfg'));
  });

  it('ignores ./ansible.cfg in a world-writable directory with a warning', () => {
    const ww = join(dir, 'ww');
    mkdirSync(ww);
    chmodSync(ww, 0o777);
    cfg('[defaults]\nforks=2\n', ww);
    const c = loadConfig({ env: { HOME: home }, cwd: ww });
    expect(c.forks).toBe(5);
    expect(c.warnings[0]).toContain('world writable directory');
  });

  it('environment variables override the file', () => {
    cfg('[defaults]\nforks=2\ninventory=a\nhost_key_checking=true\n[privilege_escalation]\nbecome=false\n');
    const c = loadConfig({
      env: {
        HOME: home,
        ANSIBLE_FORKS: '11',
        ANSIBLE_INVENTORY: 'x.ini,y.yml',
        ANSIBLE_HOST_KEY_CHECKING: 'False',
        ANSIBLE_ROLES_PATH: '/r1:/r2',
        ANSIBLE_STDOUT_CALLBACK: 'minimal',
        ANSIBLE_LOG_PATH: '/tmp/p.log',
        ANSIBLE_BECOME: 'yes',
        ANSIBLE_BECOME_USER: 'ops',
        ANSIBLE_BECOME_METHOD: 'su',
        ANSIBLE_REMOTE_USER: 'me',
        ANSIBLE_PRIVATE_KEY_FILE: '/k',
        ANSIBLE_TIMEOUT: '5',
        ANSIBLE_GATHERING: 'smart',
        ANSIBLE_SSH_RETRIES: '2',
      },
      cwd: dir,
    });
    expect(c.forks).toBe(11);
    expect(c.inventory).toEqual([join(dir, 'x.ini'), join(dir, 'y.yml')]);
    expect(c.hostKeyChecking).toBe(false);
    expect(c.rolesPath).toEqual(['/r1', '/r2']);
    expect(c.stdoutCallback).toBe('minimal');
    expect(c.logPath).toBe('/tmp/p.log');
    expect(c.become).toBe(true);
    expect(c.becomeUser).toBe('ops');
    expect(c.becomeMethod).toBe('su');
    expect(c.remoteUser).toBe('me');
    expect(c.privateKeyFile).toBe('/k');
    expect(c.timeout).toBe(5);
    expect(c.gathering).toBe('smart');
    expect(c.sshRetries).toBe(2);
  });

  it('refuses a non-integer forks, naming where it came from', () => {
    cfg('[defaults]\nforks = many\n');
    expect(() => loadConfig({ env: { HOME: home }, cwd: dir })).toThrow(/forks .*ansible\.cfg:2.*'many' is not an integer/);
    expect(() => loadConfig({ env: { HOME: home, ANSIBLE_FORKS: 'x' }, cwd: dir })).toThrow(/environment variable ANSIBLE_FORKS/);
  });

  it('refuses a gathering value outside its choices', () => {
    expect(() => loadConfig({ env: { HOME: home, ANSIBLE_GATHERING: 'sometimes' }, cwd: dir })).toThrow(/not one of smart, explicit, implicit/);
  });

  it('reports unknown keys as verbose warnings, but not accepted or plugin keys', () => {
    cfg('[defaults]\nforkz = 3\ninterpreter_python = auto\nretry_files_enabled = False\n[callback_profile_tasks]\ntask_output_limit=5\n[ssh_connection]\ncontrol_path = x\nbogus=1\n');
    const c = loadConfig({ env: { HOME: home }, cwd: dir });
    expect(c.verboseWarnings).toHaveLength(2);
    expect(c.verboseWarnings[0]).toMatch(/ansible\.cfg:2: unknown configuration key 'forkz' in section \[defaults\]/);
    expect(c.verboseWarnings[1]).toMatch(/'bogus' in section \[ssh_connection\]/);
  });
});

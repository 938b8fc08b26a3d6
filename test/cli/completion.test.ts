/**
 * `philote completion bash|zsh` loaded into real bash and zsh (zsh through its bashcompinit, as the
 * script does): subcommands, a subcommand's options, playbook files, and host patterns read from
 * the inventory given with -i on the same line (the script calls `philote inventory --graph`).
 * zsh's compgen leaves filtering by the typed prefix to compadd, so there the candidates are
 * checked to include the expected ones; bash filters itself and is checked exactly.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir = '';

function shell(sh: 'bash' | 'zsh', script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const args = sh === 'zsh' ? ['-f', '-c', script] : ['--norc', '-c', script];
    const env = { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, HOME: dir, PHILOTE_RECORD: '0', ANSIBLE_CONFIG: '' };
    execFile(sh, args, { cwd: dir, env }, (err, stdout, stderr) => (err ? reject(new Error(`${sh}: ${stderr}`)) : resolve(stdout)));
  });
}

/** Sets COMP_WORDS/COMP_CWORD as the shell does on <Tab> after `line` and prints the candidates. */
function complete(sh: 'bash' | 'zsh', line: string[]): Promise<string[]> {
  const words = line.map((w) => `'${w}'`).join(' ');
  const prelude = sh === 'zsh' ? 'source ./philote.zsh; emulate sh; ' : 'source ./philote.bash; ';
  return shell(sh, `${prelude}COMP_WORDS=(${words}); COMP_CWORD=${line.length - 1}; _philote; printf '%s\\n' "\${COMPREPLY[@]}"`).then((o) => o.split('\n').filter(Boolean));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'philote-completion-'));
  mkdirSync(join(dir, 'bin'));
  symlinkSync(join(import.meta.dirname, '..', '..', 'bin', 'philote.js'), join(dir, 'bin', 'philote'));
  writeFileSync(join(dir, 'hosts.ini'), '[workers]\nw1\nw2\n[control_plane]\ncp1\n');
  writeFileSync(join(dir, 'site.yml'), '- hosts: all\n');
  writeFileSync(join(dir, 'notes.txt'), '');
  for (const sh of ['bash', 'zsh'] as const) {
    const r = await runCli(['completion', sh], { cwd: dir });
    expect(r.code).toBe(0);
    writeFileSync(join(dir, `philote.${sh}`), r.out);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shell completion', () => {
  it('bash: subcommands, options, playbooks and host patterns', async () => {
    expect(await complete('bash', ['philote', 'inv'])).toEqual(['inventory']);
    expect(await complete('bash', ['philote', 'playbook', '--che'])).toEqual(['--check']);
    expect(await complete('bash', ['philote', 'inventory', '--ex'])).toEqual(['--export']);
    expect(await complete('bash', ['philote', 'playbook', 's'])).toEqual(['site.yml']);
    expect(await complete('bash', ['philote', 'playbook', '-i', 'hosts.ini', '-l', 'w'])).toEqual(['w1', 'w2', 'workers']);
    expect(await complete('bash', ['philote', 'lab', ''])).toContain('up');
    // The script registers itself for the command name.
    expect(await shell('bash', 'source ./philote.bash; complete -p philote')).toContain('-F _philote philote');
  });

  it('zsh: the same function through bashcompinit', async () => {
    expect(await complete('zsh', ['philote', 'inv'])).toContain('inventory');
    expect(await complete('zsh', ['philote', 'playbook', '--che'])).toContain('--check');
    expect(await complete('zsh', ['philote', 'playbook', '-i', 'hosts.ini', '--limit', 'w'])).toEqual(expect.arrayContaining(['w1', 'w2', 'workers']));
    expect(await complete('zsh', ['philote', 'playbook', 's'])).toContain('site.yml');
    expect(await complete('zsh', ['philote', 'playbook', 's'])).not.toContain('notes.txt');
  });

  it('an unknown shell is an option error', async () => {
    const r = await runCli(['completion', 'fish']);
    expect(r.code).toBe(5);
    expect(r.err).toContain("completion is available for bash and zsh, not 'fish'");
  });
});

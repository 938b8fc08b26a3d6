/**
 * shell: run a command line through a shell on the node (ansible.builtin.shell).
 *
 * Arguments: as `command` (free form or cmd, chdir, creates, removes, stdin, stdin_add_newline,
 * strip_empty_ends), plus:
 * - executable: the shell to use (default /bin/sh).   `executable: /bin/bash`
 *
 *   - shell: iptables-save | grep -c cali- || true
 *   - shell: {cmd: "echo $HOME > out", chdir: /tmp, creates: /tmp/out}
 *
 * Returns: as `command`, with cmd as the string given.
 */
import type { ModuleDefinition } from '../types.js';
import { commandSchema, runCommand, type CommandArgs } from './command.js';

export const shellModule: ModuleDefinition<CommandArgs> = {
  name: 'shell',
  aliases: ['ansible.builtin.shell', 'ansible.legacy.shell'],
  freeForm: true,
  runsOn: 'node',
  schema: commandSchema,
  run: (ctx) => runCommand(ctx, ctx.args.executable ?? '/bin/sh'),
};

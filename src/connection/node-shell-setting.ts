/**
 * Whether ssh connections run tasks through the persistent node shell (src/connection/ssh/node-shell.ts)
 * or one exec channel per task. Set once per run by the CLI from `[philote] node_shell` in
 * ansible.cfg or PHILOTE_NODE_SHELL; kept here so that reading it never loads ssh2.
 */
let enabled = true;

export function setNodeShell(on: boolean): void {
  enabled = on;
}

export function nodeShellEnabled(): boolean {
  return enabled;
}

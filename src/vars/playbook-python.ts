import { existsSync } from 'node:fs';

/**
 * ansible_playbook_python: the controller's Python in Ansible. philote runs none; playbooks use
 * the variable to run helper scripts on the controller, so it names the first python3 on PATH.
 * The implicit localhost's ansible_python_interpreter is the same, as ansible-core sets it to
 * sys.executable.
 */
export const PLAYBOOK_PYTHON = (process.env['PATH'] ?? '').split(':').map((d) => `${d}/python3`).find((p) => existsSync(p));

/**
 * The environment a differential test gives both ansible-playbook and philote: a private home
 * (no user ansible.cfg, no ~/.ansible of the machine), plain output, no retry files.
 */
import { join } from 'node:path';

export function isolatedAnsibleEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: '0',
    ANSIBLE_LOCAL_TEMP: join(home, 'ansible-tmp'),
    ANSIBLE_HOME: join(home, 'ansible-home'),
    ...extra,
  };
}

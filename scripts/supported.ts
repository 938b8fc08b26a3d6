/**
 * Writes docs/supported.md from the registries themselves (modules, filters, tests, lookups,
 * keywords), so the list users read cannot drift from what philote accepts.
 * `npx tsx scripts/supported.ts` rewrites it; test/docs/supported.test.ts fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { controllerModules } from '../src/modules/controller/index.js';
import { nodeModules } from '../src/modules/node/index.js';
import { netModules } from '../src/modules/net/index.js';
import { k8sModules } from '../src/modules/k8s/index.js';
import { EXECUTOR_ACTIONS } from '../src/modules/registry.js';
import type { AnyModuleDefinition } from '../src/modules/types.js';
import { FILTERS } from '../src/template/filters/index.js';
import { TESTS } from '../src/template/tests/index.js';
import { LOOKUPS } from '../src/template/lookups/index.js';
import { BLOCK_KEYWORDS, PLAY_KEYWORDS, TASK_KEYWORDS } from '../src/playbook/keywords.js';

function moduleRows(title: string, mods: AnyModuleDefinition[]): string[] {
  const rows = [`### ${title}`, '', '| module | also accepted as |', '|---|---|'];
  for (const m of [...mods].sort((a, b) => a.name.localeCompare(b.name))) {
    const aliases = m.aliases.filter((a) => !a.startsWith('ansible.legacy.'));
    rows.push(`| \`${m.name}\` | ${aliases.map((a) => `\`${a}\``).join(', ')} |`);
  }
  return [...rows, ''];
}

/** Modules and features the K3s repository census found that philote does not have yet, and why. */
const CENSUS_GAPS = [
  '`dnf`/`yum`, `community.general.pacman`, `community.general.snap` drive the node\'s own command, but no lab node has dnf, yum, pacman or snapd: their argument checks, check mode and the failure on a node without the tool are tested against ansible-playbook, their transactions are not (dnf/yum `list` is refused; `results` names the packages asked for, not the dependencies pulled in).',
  '`ansible.posix.selinux` update_kernel_param (grubby) is refused with a message; `pip` is tested offline only (a wheel in a venv).',
  '`community.crypto`: openssl_privatekey, openssl_csr, openssl_csr_pipe and x509_certificate (selfsigned, ownca) work with the node\'s openssl; not yet: the other _pipe modules and the _info modules, openssh_keypair, x509_certificate\'s acme and entrust providers, absolute or sub-day validity times, private keys given as content, openssl_csr name constraints, authority key identifiers and CRL distribution points, format raw, --diff output of these modules.',
  '`timezone` hwclock, `unarchive` from a URL with remote_src, `authorized_key` keys from a URL: refused with a message.',
  '`service_facts` from upstart or Red Hat chkconfig; `package_facts` apt `origin` is empty (needs python3-apt\'s cache).',
  '`poll: 0` with modules that need more than one command (alternatives, authorized_key) cannot be collected by `async_status`.',
  'Vault: no `philote vault` command (use ansible-vault); the `vault_encrypted` test is true for a string equal to the plaintext of a `!vault` value loaded in the run (philote keeps decrypted values as plain strings); the password prompts (`--ask-vault-pass`, `--vault-id ID@prompt`) have no automated test.',
  '`merge_variables` with override=warn merges like ignore without printing the warning.',
  'The `kubernetes.core.k8s` lookup does not run kubeconfig exec plugins or auth-providers (tokens, basic auth and client certificates work).',
];

function words(list: readonly string[]): string {
  return [...new Set(list)].sort().map((w) => `\`${w}\``).join(', ');
}

export function supportedMarkdown(): string {
  return [
    '# What philote supports',
    '',
    'Generated from the registries by `npx tsx scripts/supported.ts`; a test fails when this file is stale.',
    'Names are accepted short, as `ansible.builtin.X`/`ansible.legacy.X`, and under the collection named.',
    '',
    '## Modules',
    '',
    ...moduleRows('Controller (run in-process)', controllerModules),
    ...moduleRows('Node (one sh script per task)', nodeModules),
    ...moduleRows('Network and firewall (one sh script per task)', netModules),
    ...moduleRows('Kubernetes (API from the controller)', k8sModules),
    `Handled by the executor: ${words(EXECUTOR_ACTIONS)}.`,
    '',
    '## Keywords',
    '',
    `- Play: ${words(PLAY_KEYWORDS)}`,
    `- Block: ${words(BLOCK_KEYWORDS)}`,
    `- Task: ${words(TASK_KEYWORDS)}`,
    '',
    '`async`/`poll` run node modules as detached jobs (poll 0 with `async_status`; not with copy, template, fetch, unarchive, script, reboot). Ansible Vault 1.1/1.2 (AES256, vault ids) is read wherever files are loaded, inline `!vault` too, with `--vault-password-file`, `--vault-id`, `--ask-vault-pass`. `debugger` is accepted and ignored (no interactive debugger).',
    '',
    '## Not yet supported (from the census of public K3s repositories)',
    '',
    ...CENSUS_GAPS.map((g) => `- ${g}`),
    '',
    '## Jinja2 filters',
    '',
    words(Object.keys(FILTERS)),
    '',
    '## Jinja2 tests',
    '',
    words(Object.keys(TESTS)),
    '',
    '## Lookups',
    '',
    words(Object.keys(LOOKUPS)),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = fileURLToPath(new URL('../docs/supported.md', import.meta.url));
  writeFileSync(out, supportedMarkdown());
  console.log(`wrote ${out}`);
}

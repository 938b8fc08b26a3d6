/**
 * The ansible.cfg keys and ANSIBLE_* variables philote honours, with Ansible 2.14's
 * names, types and defaults (lib/ansible/config/base.yml). Environment beats the file.
 */

export type SettingType = 'string' | 'int' | 'float' | 'bool' | 'path' | 'pathlist' | 'pathspec' | 'list';

export interface SettingDef {
  /** Field of AnsibleConfig. */
  field: string;
  type: SettingType;
  default: unknown;
  /** [section, key] pairs in ansible.cfg; the first found wins. */
  ini: Array<[string, string]>;
  /** Environment variables; the last listed has the highest priority, as in Ansible. */
  env: string[];
  choices?: readonly string[];
}

const d = (field: string, type: SettingType, dflt: unknown, ini: Array<[string, string]>, env: string[], choices?: readonly string[]): SettingDef => ({
  field,
  type,
  default: dflt,
  ini,
  env,
  choices,
});

export const SETTINGS: SettingDef[] = [
  d('inventory', 'pathlist', ['/etc/ansible/hosts'], [['defaults', 'hostfile'], ['defaults', 'inventory']], ['ANSIBLE_HOSTS', 'ANSIBLE_INVENTORY']),
  d('forks', 'int', 5, [['defaults', 'forks']], ['ANSIBLE_FORKS']),
  d('remoteUser', 'string', undefined, [['defaults', 'remote_user']], ['ANSIBLE_REMOTE_USER']),
  d('privateKeyFile', 'path', undefined, [['defaults', 'private_key_file']], ['ANSIBLE_PRIVATE_KEY_FILE']),
  d('hostKeyChecking', 'bool', true, [['defaults', 'host_key_checking']], ['ANSIBLE_HOST_KEY_CHECKING']),
  d('collectionsPaths', 'pathspec', ['~/.ansible/collections', '/usr/share/ansible/collections'], [['defaults', 'collections_paths'], ['defaults', 'collections_path']], ['ANSIBLE_COLLECTIONS_PATHS', 'ANSIBLE_COLLECTIONS_PATH']),
  d('rolesPath', 'pathspec', ['~/.ansible/roles', '/usr/share/ansible/roles', '/etc/ansible/roles'], [['defaults', 'roles_path']], ['ANSIBLE_ROLES_PATH']),
  d('timeout', 'int', 10, [['defaults', 'timeout']], ['ANSIBLE_TIMEOUT']),
  d('become', 'bool', false, [['privilege_escalation', 'become']], ['ANSIBLE_BECOME']),
  d('becomeUser', 'string', 'root', [['privilege_escalation', 'become_user']], ['ANSIBLE_BECOME_USER']),
  d('becomeMethod', 'string', 'sudo', [['privilege_escalation', 'become_method']], ['ANSIBLE_BECOME_METHOD']),
  d('becomeAllowSameUser', 'bool', false, [['privilege_escalation', 'become_allow_same_user']], ['ANSIBLE_BECOME_ALLOW_SAME_USER']),
  d('becomeAskPass', 'bool', false, [['privilege_escalation', 'become_ask_pass']], ['ANSIBLE_BECOME_ASK_PASS']),
  d('askPass', 'bool', false, [['defaults', 'ask_pass']], ['ANSIBLE_ASK_PASS']),
  d('factCaching', 'string', 'memory', [['defaults', 'fact_caching']], ['ANSIBLE_CACHE_PLUGIN']),
  d('factCachingConnection', 'path', undefined, [['defaults', 'fact_caching_connection']], ['ANSIBLE_CACHE_PLUGIN_CONNECTION']),
  d('factCachingPrefix', 'string', 'ansible_facts', [['defaults', 'fact_caching_prefix']], ['ANSIBLE_CACHE_PLUGIN_PREFIX']),
  d('factCachingTimeout', 'int', 86400, [['defaults', 'fact_caching_timeout']], ['ANSIBLE_CACHE_PLUGIN_TIMEOUT']),
  d('gathering', 'string', 'implicit', [['defaults', 'gathering']], ['ANSIBLE_GATHERING'], ['smart', 'explicit', 'implicit']),
  d('stdoutCallback', 'string', 'default', [['defaults', 'stdout_callback']], ['ANSIBLE_STDOUT_CALLBACK']),
  d('logPath', 'path', undefined, [['defaults', 'log_path']], ['ANSIBLE_LOG_PATH']),
  d('callbackResultFormat', 'string', 'json', [['defaults', 'callback_result_format']], ['ANSIBLE_CALLBACK_RESULT_FORMAT'], ['json', 'yaml']),
  d('displaySkippedHosts', 'bool', true, [['defaults', 'display_skipped_hosts']], ['ANSIBLE_DISPLAY_SKIPPED_HOSTS']),
  d('displayOkHosts', 'bool', true, [['defaults', 'display_ok_hosts']], ['ANSIBLE_DISPLAY_OK_HOSTS']),
  d('transport', 'string', 'smart', [['defaults', 'transport']], ['ANSIBLE_TRANSPORT']),
  d('forceHandlers', 'bool', false, [['defaults', 'force_handlers']], ['ANSIBLE_FORCE_HANDLERS']),
  d('noColor', 'bool', false, [['defaults', 'nocolor']], ['ANSIBLE_NOCOLOR']),
  d('forceColor', 'bool', false, [['defaults', 'force_color']], ['ANSIBLE_FORCE_COLOR']),
  d('verbosity', 'int', 0, [['defaults', 'verbosity']], ['ANSIBLE_VERBOSITY']),
  d('vaultPasswordFile', 'path', undefined, [['defaults', 'vault_password_file']], ['ANSIBLE_VAULT_PASSWORD_FILE']),
  d('inventoryEnabled', 'list', ['host_list', 'script', 'auto', 'yaml', 'ini', 'toml'], [['inventory', 'enable_plugins']], ['ANSIBLE_INVENTORY_ENABLED']),
  d('transformInvalidGroupChars', 'string', 'never', [['defaults', 'force_valid_group_names']], ['ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS'], ['always', 'never', 'ignore', 'silently']),
  d('hostPatternMismatch', 'string', 'warning', [['inventory', 'host_pattern_mismatch']], ['ANSIBLE_HOST_PATTERN_MISMATCH'], ['warning', 'error', 'ignore']),
  d('duplicateDictKey', 'string', 'warn', [['defaults', 'duplicate_dict_key']], ['ANSIBLE_DUPLICATE_YAML_DICT_KEY'], ['warn', 'error', 'ignore']),
  d('sshArgs', 'string', '-C -o ControlMaster=auto -o ControlPersist=60s', [['ssh_connection', 'ssh_args']], ['ANSIBLE_SSH_ARGS']),
  d('sshCommonArgs', 'string', undefined, [['ssh_connection', 'ssh_common_args']], ['ANSIBLE_SSH_COMMON_ARGS']),
  d('sshExtraArgs', 'string', undefined, [['ssh_connection', 'ssh_extra_args']], ['ANSIBLE_SSH_EXTRA_ARGS']),
  d('pipelining', 'bool', false, [['defaults', 'pipelining'], ['connection', 'pipelining'], ['ssh_connection', 'pipelining']], ['ANSIBLE_PIPELINING', 'ANSIBLE_SSH_PIPELINING']),
  d('sshRetries', 'int', 0, [['ssh_connection', 'retries']], ['ANSIBLE_SSH_RETRIES']),
  d('deprecationWarnings', 'bool', true, [['defaults', 'deprecation_warnings']], ['ANSIBLE_DEPRECATION_WARNINGS']),
  d('errorOnMissingHandler', 'bool', true, [['defaults', 'error_on_missing_handler']], ['ANSIBLE_ERROR_ON_MISSING_HANDLER']),
  d('anyErrorsFatal', 'bool', false, [['defaults', 'any_errors_fatal']], ['ANSIBLE_ANY_ERRORS_FATAL']),
  d('localTmp', 'path', '~/.ansible/tmp', [['defaults', 'local_tmp']], ['ANSIBLE_LOCAL_TEMP']),
  d('callbacksEnabled', 'list', [], [['defaults', 'callback_whitelist'], ['defaults', 'callbacks_enabled']], ['ANSIBLE_CALLBACK_WHITELIST', 'ANSIBLE_CALLBACKS_ENABLED']),
  d('diffAlways', 'bool', false, [['diff', 'always']], ['ANSIBLE_DIFF_ALWAYS']),
  d('diffContext', 'int', 3, [['diff', 'context']], ['ANSIBLE_DIFF_CONTEXT']),
  // philote's own settings live in a [philote] section that Ansible ignores.
  d('logFormat', 'string', 'text', [['philote', 'log_format']], ['PHILOTE_LOG_FORMAT'], ['text', 'json']),
  d('record', 'bool', true, [['philote', 'record']], ['PHILOTE_RECORD']),
  d('runsDir', 'path', undefined, [['philote', 'runs_dir']], ['PHILOTE_RUNS_DIR']),
  d('progress', 'bool', true, [['philote', 'progress']], ['PHILOTE_PROGRESS']),
  d('nodeShell', 'bool', true, [['philote', 'node_shell']], ['PHILOTE_NODE_SHELL']),
];

/**
 * Keys that appear in real ansible.cfg files and that philote accepts without effect
 * (there is no Python on the nodes, no plugin loader). They are not
 * "unknown", so they do not produce a warning.
 */
export const ACCEPTED_KEYS: Record<string, string[]> = {
  defaults: [
    'interpreter_python', 'retry_files_enabled', 'retry_files_save_path', 'callbacks_enabled', 'callback_whitelist',
    'callback_enabled', 'command_warnings', 'system_warnings', 'remote_tmp', 'library',
    'module_utils', 'action_plugins', 'callback_plugins', 'connection_plugins', 'filter_plugins', 'lookup_plugins',
    'inventory_plugins', 'vars_plugins', 'strategy_plugins', 'test_plugins',
    'gather_subset', 'gather_timeout', 'nocows',
    'bin_ansible_callbacks', 'strategy', 'internal_poll_interval', 'poll_interval', 'module_name', 'module_lang',
    'ansible_managed', 'display_args_to_stdout', 'show_custom_stats', 'localhost_warning', 'host_key_auto_add',
    'jinja2_extensions', 'jinja2_native', 'hash_behaviour', 'allow_world_readable_tmpfiles', 'executable',
    'private_role_vars', 'error_on_undefined_vars', 'no_log', 'no_target_syslog', 'syslog_facility', 'stdout_callback',
    'log_filter', 'vault_identity_list', 'vault_id_match', 'ask_vault_pass', 'playbook_dir',
    'max_diff_size', 'roles_path', 'timeout', 'sudo_user', 'ssh_transfer_method',
  ],
  ssh_connection: ['control_path', 'control_path_dir', 'scp_if_ssh', 'sftp_batch_mode', 'transfer_method', 'usetty', 'ssh_executable', 'sftp_executable', 'scp_executable'],
  privilege_escalation: ['become_exe', 'become_flags', 'agnostic_become_prompt'],
  persistent_connection: ['connect_timeout', 'command_timeout', 'connect_retry_timeout'],
  inventory: ['cache', 'cache_plugin', 'cache_timeout', 'cache_connection', 'unparsed_is_failed', 'any_unparsed_is_failed', 'ignore_extensions', 'ignore_patterns'],
  colors: [],
  galaxy: [],
  paramiko_connection: [],
  diff: ['always', 'context'],
  connection: [],
  callback_default: [],
  callback_json: [],
  callback_yaml: [],
};

/** Variables: precedence, magic variables, variable files. */
export { VariableManager, namespaceFacts, rolesOf, ANSIBLE_VERSION } from './manager.js';
export type { VariableManagerOptions, PlayScope, TaskScope } from './manager.js';
export { readVarsFile, listVarsDir, loadNamedVars } from './files.js';

/** What the task-list parser needs to know about where it is reading from. */
import type { SourceLocation } from '../errors.js';
import type { Block, RoleInstance, TaskItem } from './types.js';

export interface RoleOrigin {
  instance: RoleInstance;
  /** The role's tasks/ (or handlers/) directory, where relative imports are looked up last. */
  tasksDir: string;
}

export interface ParseContext {
  /** File being read. */
  file: string;
  /** Directory of the file being read: the first place relative imports are looked up. */
  dir: string;
  /** Directory of the playbook that owns the play (playbook_dir). */
  playbookDir: string;
  role?: RoleOrigin;
  /** Reading a `handlers:` list. */
  handlers: boolean;
  /** Reading a task file a handler includes: its tasks are handlers' (no nested blocks). */
  handlerFile?: boolean;
  /** Reading the tasks of a block (a block there is nested). */
  inBlock?: boolean;
  /** Reports a deprecated construct (shown once as [DEPRECATION WARNING]). */
  deprecate?(message: string): void;
  /** Reading tasks loaded at run time by include_tasks/include_role (their parents are not static). */
  dynamic?: boolean;
  /** Variables known at load time (extra vars, play vars, playbook_dir, role_name/role_path), for import names. */
  vars: Record<string, unknown>;
  /** Files being imported, to refuse import cycles. */
  importStack: string[];
  /** Handlers brought by statically imported roles; they join the play's handlers. */
  roleHandlers: TaskItem[];
  /** Expands `import_role` (set by the loader). */
  importRole(args: Record<string, unknown>, ctx: ParseContext, entry: Block): Block;
  /** Loads and parses a task file for `import_tasks` (set by the loader). */
  importTasks(path: string, ctx: ParseContext, loc: SourceLocation): TaskItem[];
}

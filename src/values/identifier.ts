/**
 * ansible.utils.vars.isidentifier: the one test of a variable name, for vars keywords, register
 * and set_fact. ASCII only (Ansible unifies Python 2 and 3 here), Python's identifier syntax, and
 * not a Python keyword: `register: on` reads as True and is refused as ansible-core refuses it.
 * Soft keywords (match, case, _) are names, as keyword.iskeyword says.
 */
const PYTHON_KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif',
  'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or',
  'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);

export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !PYTHON_KEYWORDS.has(name);
}

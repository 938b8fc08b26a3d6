/** Ansible's ansible_eval_concat conversion, shared by the templar and the template lookup's convert_data. */
import { literalEval } from '../values/literal-eval.js';
import { toPlain } from './runtime/values.js';

/** A rendered string that looks like a list/dict/bool becomes one. */
export function nativeFromString(out: string): unknown {
  if (out.startsWith('{') || out.startsWith('[') || out === 'True' || out === 'False') {
    const v = literalEval(out, { jsonNames: true });
    if (v !== undefined) return toPlain(v.value, true);
  }
  return out;
}

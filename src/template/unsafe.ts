/**
 * Ansible's unsafe values (ansible-core 2.14 `AnsibleUnsafe` / `wrap_var`): data that came from
 * outside the playbook (module results, facts, lookups, Kubernetes objects, `!unsafe` in YAML) is
 * never templated again, however it travels (register, set_fact, loops, hostvars, concatenation).
 *
 * Representation, chosen so that filters and modules only ever see plain JavaScript values:
 * - a container (array or dict) is marked unsafe in a WeakSet; every container nested in it is
 *   marked too, and its strings stay plain strings. The template engine never walks a marked
 *   container, and whoever reads from one taints the template being rendered;
 * - a string that is unsafe on its own (a variable bound to it, an element of a safe container)
 *   is boxed in `UnsafeText` while it is stored in a variable layer. The engine unboxes it on
 *   every read (variable lookup, attribute, item), never templates it, and taints the render.
 * A render that touched unsafe data is unsafe as a whole, as Ansible's AnsibleContext.unsafe and
 * ansible_eval_concat make it; callers that store a render's result (set_fact, add_host, loop
 * items) keep that mark with `renderKeepUnsafe`, everyone else gets plain values.
 */

const marked = new WeakSet<object>();

/** A string that must never be templated again. Prints and serialises as its text. */
export class UnsafeText {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  valueOf(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
}

export function isUnsafeText(v: unknown): v is UnsafeText {
  return v instanceof UnsafeText;
}

/** True for a container marked unsafe (all of its strings are data). */
export function isUnsafeContainer(v: unknown): boolean {
  return typeof v === 'object' && v !== null && marked.has(v);
}

function isPlainContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  if (Array.isArray(v)) return true;
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function markDeep(v: unknown): void {
  if (!isPlainContainer(v) || marked.has(v)) return;
  marked.add(v);
  for (const x of Array.isArray(v) ? v : Object.values(v)) markDeep(x);
}

/** A copy of `v` with boxes replaced by their text (containers copied only where needed). */
export function unwrapUnsafe<T>(v: T): T {
  if (v instanceof UnsafeText) return v.text as unknown as T;
  if (!isPlainContainer(v) || marked.has(v)) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    v.forEach((x, i) => {
      const u = unwrapUnsafe(x);
      if (u !== x) (out ??= v.slice())[i] = u;
    });
    return (out ?? v) as T;
  }
  let out: Record<string, unknown> | undefined;
  for (const [k, x] of Object.entries(v)) {
    const u = unwrapUnsafe(x);
    if (u !== x) (out ??= { ...v })[k] = u;
  }
  return (out ?? v) as T;
}

function copyPlain(v: unknown): unknown {
  if (v instanceof UnsafeText) return v.text;
  if (Array.isArray(v)) return v.map(copyPlain);
  if (isPlainContainer(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = copyPlain(x);
    return out;
  }
  return v;
}

/**
 * Ansible's wrap_var: the value as unsafe data. Strings are boxed, containers are copied (so a
 * safe variable sharing a nested object is not marked by accident) and marked deeply; numbers,
 * booleans and null stay as they are (Ansible does not wrap them either).
 */
export function wrapUnsafe(v: unknown): unknown {
  if (v instanceof UnsafeText) return v;
  if (typeof v === 'string') return new UnsafeText(v);
  if (isUnsafeContainer(v)) return v;
  if (!isPlainContainer(v)) return v;
  const copy = copyPlain(v);
  markDeep(copy);
  return copy;
}

/**
 * wrap_var for a value nobody else holds yet (a result freshly parsed from a node, a Kubernetes
 * object just read): marks in place instead of copying. Top-level strings are still boxed.
 */
export function wrapUnsafeFresh(v: unknown): unknown {
  if (typeof v === 'string') return new UnsafeText(v);
  if (!isPlainContainer(v)) return v;
  const plain = unwrapUnsafe(v);
  markDeep(plain);
  return plain;
}

/**
 * Where each mapping, list, mapping key and mapping value read by the YAML loader was written, so that an error
 * found later (a bad keyword, a module argument) can point at file:line:column, as Ansible's
 * `ansible_pos` does. Values stay plain objects; the positions live in weak maps beside them.
 */
import type { SourceLocation } from '../errors.js';

const nodeLocations = new WeakMap<object, SourceLocation>();
const keyLocations = new WeakMap<object, Map<string, SourceLocation>>();
const itemLocations = new WeakMap<object, SourceLocation[]>();
const valueLocations = new WeakMap<object, Map<string, SourceLocation>>();

/** Where a mapping or list read by the loader started. */
export function locationOf(value: unknown): SourceLocation | undefined {
  return value !== null && typeof value === 'object' ? nodeLocations.get(value) : undefined;
}

/** Where the key `key` of a mapping was written (falls back to the mapping itself). */
export function keyLocationOf(map: object, key: string): SourceLocation | undefined {
  return keyLocations.get(map)?.get(key) ?? nodeLocations.get(map);
}

/**
 * Where the value of `key` was written (`name: nope` -> the column of `nope`): Ansible points at a
 * string value's own position (AnsibleUnicode's ansible_pos) when the value is at fault.
 */
export function valueLocationOf(map: object, key: string): SourceLocation | undefined {
  return valueLocations.get(map)?.get(key);
}

export function setValueLocations(map: object, values: Map<string, SourceLocation>): void {
  valueLocations.set(map, values);
}

/** Where item `index` of a list was written (falls back to the list itself). */
export function itemLocationOf(list: unknown[], index: number): SourceLocation | undefined {
  return itemLocations.get(list)?.[index] ?? nodeLocations.get(list);
}

/** Copies the recorded location of `from` to a new object built from it. */
export function copyLocation<T extends object>(to: T, from: object): T {
  const loc = nodeLocations.get(from);
  if (loc) nodeLocations.set(to, loc);
  const keys = keyLocations.get(from);
  if (keys) keyLocations.set(to, keys);
  const values = valueLocations.get(from);
  if (values) valueLocations.set(to, values);
  return to;
}

export function setLocation(value: object, loc: SourceLocation): void {
  nodeLocations.set(value, loc);
}

export function setKeyLocations(map: object, keys: Map<string, SourceLocation>): void {
  keyLocations.set(map, keys);
}

export function keyLocationsOf(map: object): Map<string, SourceLocation> | undefined {
  return keyLocations.get(map);
}

export function setItemLocations(list: unknown[], items: SourceLocation[]): void {
  itemLocations.set(list, items);
}

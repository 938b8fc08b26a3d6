/** All filters by short name (collection prefixes such as ansible.builtin. are stripped by the caller). */
import type { FilterFn } from '../runtime/env.js';
import { CORE_FILTERS } from './core.js';
import { REGEX_FILTERS } from './regex.js';

export const FILTERS: Record<string, FilterFn> = {
  ...CORE_FILTERS,
  ...REGEX_FILTERS,
};
FILTERS['d'] = CORE_FILTERS['default']!;

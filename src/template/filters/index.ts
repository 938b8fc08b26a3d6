/** All filters by short name (collection prefixes such as ansible.builtin. are stripped by the caller). */
import type { FilterFn } from '../runtime/env.js';
import { CORE_FILTERS } from './core.js';
import { IP_FILTERS } from './ipaddr.js';
import { LIST_FILTERS } from './lists.js';
import { MISC_FILTERS } from './misc.js';
import { QUERY_FILTERS } from './query.js';
import { VAULT_FILTERS } from './vault.js';
import { REGEX_FILTERS } from './regex.js';
import { SERIALIZE_FILTERS } from './serialize.js';
import { URL_FILTERS } from './urls.js';

export const FILTERS: Record<string, FilterFn> = {
  ...CORE_FILTERS,
  ...LIST_FILTERS,
  ...REGEX_FILTERS,
  ...SERIALIZE_FILTERS,
  ...MISC_FILTERS,
  ...IP_FILTERS,
  ...QUERY_FILTERS,
  ...VAULT_FILTERS,
  ...URL_FILTERS,
};
FILTERS['d'] = CORE_FILTERS['default']!;
delete FILTERS['datetime_ok'];

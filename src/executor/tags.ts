/** Ansible's tag selection (Taggable.evaluate_tags): always/never/tagged/untagged/all. */

export function shouldRunByTags(tags: readonly string[], onlyTags: readonly string[], skipTags: readonly string[]): boolean {
  const only = onlyTags.length ? onlyTags : ['all'];
  const untagged = tags.length === 0;
  const t = untagged ? ['untagged'] : tags;
  const has = (list: readonly string[]) => t.some((x) => list.includes(x));
  let run: boolean;
  if (t.includes('always')) run = true;
  else if (only.includes('all') && !t.includes('never')) run = true;
  else if (only.includes('tagged') && !untagged && !t.includes('never')) run = true;
  else if (has(only)) run = true;
  else run = false;
  if (run && skipTags.length) {
    if (skipTags.includes('all')) {
      if (!t.includes('always') || skipTags.includes('always')) run = false;
    } else if (has(skipTags)) run = false;
    else if (skipTags.includes('tagged') && !untagged) run = false;
    else if (skipTags.includes('untagged') && untagged) run = false;
  }
  return run;
}

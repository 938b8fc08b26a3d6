#!/usr/bin/python
# Ansible twin of philote's iptables_chains module, so the shipped playbooks
# also run under ansible-playbook. Same arguments, same return values.
DOCUMENTATION = r'''
module: iptables_chains
short_description: Remove every iptables chain whose name matches patterns
description:
  - For each table and IP version, finds chains matching the glob patterns
    (for example C(cali-*)), deletes the rules in other chains that jump to
    them, then flushes and deletes them.
options:
  patterns: {type: list, elements: str, required: true, description: Glob patterns of chain names.}
  tables: {type: list, elements: str, default: [filter, nat, mangle, raw]}
  ip_versions: {type: list, elements: str, default: [ipv4, ipv6], choices: [ipv4, ipv6]}
  state: {type: str, default: absent, choices: [absent]}
'''
RETURN = r'''
chains: {description: Removed chains as "ipv4/filter/cali-x".}
rules_removed: {description: Number of rules deleted (jumps plus rules inside removed chains).}
'''
import fnmatch
import shlex
from ansible.module_utils.basic import AnsibleModule


def target(rule):
    """The chain a rule jumps (-j) or goes (-g) to, if any."""
    for flag in ('-j', '--jump', '-g', '--goto'):
        if flag in rule[:-1]:
            return rule[rule.index(flag) + 1]
    return None


def main():
    m = AnsibleModule(argument_spec=dict(
        patterns=dict(type='list', elements='str', required=True),
        tables=dict(type='list', elements='str', default=['filter', 'nat', 'mangle', 'raw']),
        ip_versions=dict(type='list', elements='str', default=['ipv4', 'ipv6']),
        state=dict(type='str', default='absent', choices=['absent']),
    ), supports_check_mode=True)
    chains, rules_removed = [], 0
    for ver in m.params['ip_versions']:
        save = m.get_bin_path('iptables-save' if ver == 'ipv4' else 'ip6tables-save')
        cmd = m.get_bin_path('iptables' if ver == 'ipv4' else 'ip6tables')
        if not save or not cmd:
            continue
        for table in m.params['tables']:
            rc, out, _ = m.run_command([save, '-t', table])
            if rc != 0:
                continue
            names = [l[1:].split()[0] for l in out.splitlines() if l.startswith(':')]
            doomed = [c for c in names if any(fnmatch.fnmatchcase(c, p) for p in m.params['patterns'])]
            if not doomed:
                continue
            rules = [shlex.split(l) for l in out.splitlines() if l.startswith('-A ')]
            jumps = [r for r in rules if r[1] not in doomed and target(r) in doomed]
            inside = [r for r in rules if r[1] in doomed]
            rules_removed += len(jumps) + len(inside)
            chains += ['%s/%s/%s' % (ver, table, c) for c in doomed]
            if m.check_mode:
                continue
            for r in jumps:
                m.run_command([cmd, '-t', table, '-D'] + r[1:], check_rc=True)
            for c in doomed:
                m.run_command([cmd, '-t', table, '-F', c], check_rc=True)
            for c in doomed:
                m.run_command([cmd, '-t', table, '-X', c], check_rc=True)
    m.exit_json(changed=bool(chains), chains=chains, rules_removed=rules_removed)


if __name__ == '__main__':
    main()

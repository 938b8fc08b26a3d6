#!/usr/bin/python
# Ansible twin of philote's ip_link module (links present/absent with `ip link`).
DOCUMENTATION = r'''
module: ip_link
short_description: Make sure network links exist or are gone
options:
  name: {type: str, required: true, description: Link name; with state=absent a glob such as cali* is allowed.}
  type: {type: str, description: Link type for creation (dummy, vxlan, bridge...).}
  args: {type: str, description: Extra `ip link add` arguments, e.g. "id 4096 dstport 4789".}
  state: {type: str, default: present, choices: [present, absent]}
'''
RETURN = r'''
links: {description: Links created or removed.}
'''
import fnmatch
import json
from ansible.module_utils.basic import AnsibleModule


def main():
    m = AnsibleModule(argument_spec=dict(
        name=dict(type='str', required=True), type=dict(type='str'), args=dict(type='str'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
    ), required_if=[('state', 'present', ['type'])], supports_check_mode=True)
    p = m.params
    ip = m.get_bin_path('ip', required=True)
    rc, out, err = m.run_command([ip, '-j', 'link', 'show'])
    if rc != 0:
        m.fail_json(msg='ip link show failed: ' + err.strip())
    names = [l['ifname'] for l in json.loads(out or '[]')]
    matching = [n for n in names if fnmatch.fnmatchcase(n, p['name'])]
    if p['state'] == 'absent':
        if not m.check_mode:
            for n in matching:
                m.run_command([ip, 'link', 'delete', n], check_rc=True)
        m.exit_json(changed=bool(matching), links=matching)
    if p['name'] in names:
        m.exit_json(changed=False, links=[])
    if not m.check_mode:
        m.run_command([ip, 'link', 'add', p['name'], 'type', p['type']] + (p['args'] or '').split(), check_rc=True)
    m.exit_json(changed=True, links=[p['name']])


if __name__ == '__main__':
    main()

#!/usr/bin/python
# Ansible twin of philote's ip_route module (routes present/absent with `ip route`).
DOCUMENTATION = r'''
module: ip_route
short_description: Make sure routes exist or are gone
options:
  dest: {type: str, description: Destination prefix such as 10.244.1.0/26, or default. Omitted with state=absent means every route matching the other filters.}
  via: {type: str}
  dev: {type: str}
  proto: {type: str, description: Routing protocol such as bird, static, kernel.}
  table: {type: str, default: main}
  metric: {type: int}
  ip_version: {type: str, default: ipv4, choices: [ipv4, ipv6]}
  state: {type: str, default: present, choices: [present, absent]}
'''
RETURN = r'''
routes: {description: Routes added or removed, as `ip route` prints them.}
'''
from ansible.module_utils.basic import AnsibleModule


def main():
    m = AnsibleModule(argument_spec=dict(
        dest=dict(type='str'), via=dict(type='str'), dev=dict(type='str'), proto=dict(type='str'),
        table=dict(type='str', default='main'), metric=dict(type='int'),
        ip_version=dict(type='str', default='ipv4', choices=['ipv4', 'ipv6']),
        state=dict(type='str', default='present', choices=['present', 'absent']),
    ), required_if=[('state', 'present', ['dest'])], supports_check_mode=True)
    p = m.params
    ip = [m.get_bin_path('ip', required=True), '-6' if p['ip_version'] == 'ipv6' else '-4']
    sel = [p['dest']] if p['dest'] else []
    for k in ('via', 'dev', 'proto', 'metric'):
        if p[k] is not None:
            sel += [k, str(p[k])]
    table = ['table', p['table']]
    rc, out, err = m.run_command(ip + ['route', 'show'] + table + sel)
    if rc != 0:
        m.fail_json(msg='ip route show failed: ' + err.strip())
    existing = [l.strip() for l in out.splitlines() if l.strip()]
    if p['state'] == 'absent':
        if not m.check_mode:
            for route in existing:
                m.run_command(ip + ['route', 'del'] + route.split() + table, check_rc=True)
        m.exit_json(changed=bool(existing), routes=existing)
    if existing:
        m.exit_json(changed=False, routes=[])
    if not m.check_mode:
        m.run_command(ip + ['route', 'replace'] + sel + table, check_rc=True)
    m.exit_json(changed=True, routes=[' '.join(sel)])


if __name__ == '__main__':
    main()

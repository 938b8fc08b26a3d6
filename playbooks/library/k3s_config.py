#!/usr/bin/python
# Ansible twin of philote's k3s_config module: set or remove keys in K3s's
# config.yaml, keeping the other keys.
DOCUMENTATION = r'''
module: k3s_config
short_description: Set or remove keys in /etc/rancher/k3s/config.yaml
options:
  path: {type: path, default: /etc/rancher/k3s/config.yaml}
  settings: {type: dict, required: true, description: "Keys and values, e.g. {flannel-backend: none}. With state=absent only the keys count."}
  state: {type: str, default: present, choices: [present, absent]}
'''
RETURN = r'''
keys: {description: Keys that changed.}
'''
import os
import yaml
from ansible.module_utils.basic import AnsibleModule


def main():
    m = AnsibleModule(argument_spec=dict(
        path=dict(type='path', default='/etc/rancher/k3s/config.yaml'),
        settings=dict(type='dict', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
    ), supports_check_mode=True)
    p = m.params
    before = ''
    if os.path.exists(p['path']):
        with open(p['path']) as f:
            before = f.read()
    data = yaml.safe_load(before) or {}
    changed_keys = []
    for k, v in p['settings'].items():
        if p['state'] == 'present' and data.get(k, object()) != v:
            data[k] = v
            changed_keys.append(k)
        elif p['state'] == 'absent' and k in data:
            del data[k]
            changed_keys.append(k)
    after = yaml.safe_dump(data, default_flow_style=False, sort_keys=False) if data else ''
    diff = dict(before=before, after=after, before_header=p['path'], after_header=p['path'])
    if changed_keys and not m.check_mode:
        os.makedirs(os.path.dirname(p['path']), exist_ok=True)
        with open(p['path'], 'w') as f:
            f.write(after)
    m.exit_json(changed=bool(changed_keys), keys=changed_keys, diff=diff if changed_keys else {})


if __name__ == '__main__':
    main()

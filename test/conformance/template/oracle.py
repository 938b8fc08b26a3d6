"""Oracle for the template conformance test: renders every corpus case with ansible-core's own Templar
(Ansible's filters, tests, lookups and native-type conversion) and prints one JSON result per case.
Run once per test run: reads {"cases": [{"t": template, "v": vars, "mode": "render"|"cond"}]} on stdin."""
import json
import sys

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible.errors import AnsibleUndefinedVariable


def plain(v):
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float)):
        return v
    return str(v)


def kind(v):
    if v is None:
        return 'none'
    if isinstance(v, bool):
        return 'bool'
    if isinstance(v, (int, float)):
        return 'number'
    if isinstance(v, str):
        return 'str'
    if isinstance(v, dict):
        return 'dict'
    if isinstance(v, (list, tuple)):
        return 'list'
    return type(v).__name__


def main():
    data = json.load(sys.stdin)
    loader = DataLoader()
    out = []
    for case in data['cases']:
        templar = Templar(loader=loader, variables=case['v'])
        try:
            if case.get('mode') == 'cond':
                from ansible.playbook.conditional import Conditional
                c = Conditional(loader=loader)
                c.when = [case['t']]
                r = c.evaluate_conditional(templar, case['v'])
            else:
                r = templar.template(case['t'])
            out.append({'kind': kind(r), 'value': plain(r)})
        except AnsibleUndefinedVariable as e:
            out.append({'error': 'undefined', 'message': str(e)})
        except Exception as e:  # any other failure is compared as "error"
            out.append({'error': type(e).__name__, 'message': str(e)})
    json.dump(out, sys.stdout)


main()

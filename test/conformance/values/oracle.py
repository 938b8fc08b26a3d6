"""Oracle for the values corpus: loads every YAML case with ansible-core's own AnsibleLoader (or
PyYAML's SafeLoader behind from_yaml, for `dialect: safe` cases) and splits every key=value case
with ansible-core's parse_kv/split_args, and every `bool` case with convert_bool.boolean, then prints one JSON result per case with type tags, so
that 1, 1.0 and "1" differ. Reads the cases as JSON on stdin (the test passes them)."""
import datetime
import json
import sys

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.module_utils.common.yaml import yaml_load, yaml_load_all
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.parsing.splitter import parse_kv, split_args
from ansible.parsing.yaml import constructor
from ansible.parsing.yaml.loader import AnsibleLoader
from ansible.utils.unsafe_proxy import AnsibleUnsafe
from yaml import YAMLError

warnings = []
constructor.display.warning = lambda msg, formatted=False: warnings.append(msg)


def json_key(k):
    """A dict key as Ansible's JSON output prints it (json.dumps turns True into "true"); a date
    key, which JSON cannot hold, as str() prints it."""
    if isinstance(k, (datetime.date, datetime.datetime)):
        return str(k)
    return next(iter(json.loads(json.dumps({k: 0}, default=str))))


def tag(v):
    if v is None:
        return {'t': 'null'}
    if isinstance(v, bool):
        return {'t': 'bool', 'v': v}
    if isinstance(v, int):
        return {'t': 'int', 'v': str(v)}
    if isinstance(v, float):
        return {'t': 'float', 'v': repr(v)}
    if isinstance(v, (datetime.date, datetime.datetime)):
        return {'t': 'timestamp', 'v': str(v)}
    if isinstance(v, str):
        return {'t': 'unsafe' if isinstance(v, AnsibleUnsafe) else 'str', 'v': str(v)}
    if isinstance(v, dict):
        return {'t': 'dict', 'v': [[json_key(k), tag(x)] for k, x in v.items()]}
    if isinstance(v, (list, tuple)):
        return {'t': 'list', 'v': [tag(x) for x in v]}
    return {'t': type(v).__name__, 'v': repr(v)}


def load_yaml(case):
    text = case['yaml']
    C.DUPLICATE_YAML_DICT_KEY = case.get('duplicate_keys', 'warn')
    if case.get('dialect') == 'safe':
        return [tag(d) for d in yaml_load_all(text)] if case.get('all') else tag(yaml_load(text))
    return tag(AnsibleLoader(text, file_name='case.yml').get_single_data())


def run(case):
    del warnings[:]
    try:
        if 'yaml' in case:
            value = load_yaml(case)
        elif 'bool' in case:
            value = [tag(boolean(v, strict=case.get('strict', True))) for v in case['bool']]
        else:
            value = {'kv': tag(parse_kv(case['kv'], check_raw=case.get('check_raw', False))), 'split': split_args(case['kv'])}
    except (YAMLError, AnsibleError, ValueError, TypeError) as e:
        return {'error': type(e).__name__, 'message': str(e)}
    return {'value': value, 'warnings': list(warnings)}


def main():
    cases = json.load(sys.stdin)
    json.dump([run(c) for c in cases], sys.stdout)


if __name__ == '__main__':
    main()

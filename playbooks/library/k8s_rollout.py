#!/usr/bin/python
# Ansible twin of philote's k8s_rollout module: `kubectl rollout restart` and
# `kubectl rollout status` for Deployments, DaemonSets and StatefulSets.
DOCUMENTATION = r'''
module: k8s_rollout
short_description: Restart workloads or wait for their rollout
options:
  action: {type: str, required: true, choices: [restart, status]}
  kind: {type: str, required: true, choices: [Deployment, DaemonSet, StatefulSet]}
  name: {type: str, description: One object; omitted means every object of the kind in the namespace.}
  namespace: {type: str, default: default}
  timeout: {type: int, default: 300, description: Seconds to wait (status).}
  kubeconfig: {type: path}
  context: {type: str}
'''
RETURN = r'''
resources: {description: Names handled.}
'''
import datetime
import json
import time
from ansible.module_utils.basic import AnsibleModule

try:
    from kubernetes import client, config
    from kubernetes.client.exceptions import ApiException
except ImportError:
    client = None
    ApiException = Exception

LIST = {'Deployment': 'deployment', 'DaemonSet': 'daemon_set', 'StatefulSet': 'stateful_set'}


def rolled_out(kind, o):
    s, spec, gen = o.status, o.spec, o.metadata.generation
    if (s.observed_generation or 0) < gen:
        return False
    if kind == 'DaemonSet':
        want = s.desired_number_scheduled or 0
        return (s.updated_number_scheduled or 0) >= want and (s.number_available or 0) >= want
    want = spec.replicas if spec.replicas is not None else 1
    if kind == 'StatefulSet':
        return (s.updated_replicas or 0) >= want and (s.ready_replicas or 0) >= want
    return ((s.updated_replicas or 0) >= want and (s.replicas or 0) <= want
            and (s.available_replicas or 0) >= want)


def main():
    m = AnsibleModule(argument_spec=dict(
        action=dict(type='str', required=True, choices=['restart', 'status']),
        kind=dict(type='str', required=True, choices=list(LIST)),
        name=dict(type='str'), namespace=dict(type='str', default='default'),
        timeout=dict(type='int', default=300), kubeconfig=dict(type='path'), context=dict(type='str'),
    ), supports_check_mode=True)
    if client is None:
        m.fail_json(msg='k8s_rollout needs the Python kubernetes client')
    p = m.params
    config.load_kube_config(config_file=p['kubeconfig'], context=p['context'])
    api = client.AppsV1Api()
    suffix = LIST[p['kind']]
    ns = p['namespace']
    try:
        if p['name']:
            objs = [getattr(api, 'read_namespaced_' + suffix)(p['name'], ns)]
        else:
            objs = getattr(api, 'list_namespaced_' + suffix)(ns).items
    except ApiException as e:
        # The message philote's k8s_rollout gives for the same API error.
        try:
            status = json.loads(e.body)
        except Exception:
            status = {}
        what = '%ss.apps%s' % (p['kind'].lower(), '/' + p['name'] if p['name'] else '')
        m.fail_json(msg='%s (%s) while trying to %s %s in namespace %s: %s' % (
            status.get('reason', e.reason), e.status, 'get' if p['name'] else 'list', what, ns, status.get('message', e.reason)))
    names = [o.metadata.name for o in objs]
    if p['action'] == 'restart':
        if not m.check_mode:
            now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
            body = {'spec': {'template': {'metadata': {'annotations': {'kubectl.kubernetes.io/restartedAt': now}}}}}
            for n in names:
                getattr(api, 'patch_namespaced_' + suffix)(n, ns, body)
        m.exit_json(changed=bool(names), resources=names)
    deadline = time.time() + p['timeout']
    pending = list(names)
    while pending:
        pending = [n for n in pending if not rolled_out(p['kind'], getattr(api, 'read_namespaced_' + suffix)(n, ns))]
        if pending and time.time() > deadline:
            m.fail_json(msg='timed out waiting for %s %s to roll out' % (p['kind'], ', '.join(pending)))
        if pending:
            time.sleep(1)
    m.exit_json(changed=False, resources=names)


if __name__ == '__main__':
    main()

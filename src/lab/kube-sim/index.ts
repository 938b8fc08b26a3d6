/**
 * The lab's Kubernetes API simulator: an HTTP server on 127.0.0.1 that speaks enough of the
 * Kubernetes REST API for kubectl, @kubernetes/client-node and the Python client (used by
 * ansible's kubernetes.core), plus controllers that make nodes, pods and workloads behave.
 *
 *   const sim = await startKubeSim({ dir, nodes: [{ name: 'node1', internalIP: '10.0.0.1' }] });
 *   // KUBECONFIG=sim.kubeconfigPath kubectl get nodes
 *   await sim.close();
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Api } from './api.js';
import type { BaseCni, CiliumAgentHook } from './cni.js';
import { tick, type Ctx, type LabNode } from './controllers/index.js';
import type { NodeExecTarget } from './exec.js';
import { createApiServer } from './http.js';
import { writeKubeconfig } from './kubeconfig.js';
import { Registry } from './resources.js';
import { applySeed, type SeedName } from './seed.js';
import { Store } from './store.js';
import type { KObject, ResourceType } from './types.js';

export interface KubeSimNode {
  name: string;
  /** The node's address (H5's lab passes `address`). */
  internalIP?: string;
  address?: string;
  /** e.g. ['control-plane', 'master']; when no node has roles, the first one is the control plane. */
  roles?: string[];
  labels?: Record<string, string>;
  /** Ready while this answers true (probed about every 500 ms). */
  isReachable?: () => Promise<boolean> | boolean;
  /** A lab node's namespaces and login user: pods/exec on this node runs there (exec.ts). */
  exec?: NodeExecTarget;
}

export interface KubeSimOptions {
  dir: string;
  port?: number;
  host?: '127.0.0.1';
  /** Node list, or a count (node1..nodeN on 10.99.0.11...). Default 3. */
  nodes?: KubeSimNode[] | number;
  /** Alternative to per-node isReachable (the lab daemon passes this). */
  nodeReady?: (name: string) => Promise<boolean> | boolean;
  stateFile?: string;
  cni?: BaseCni;
  /** Starting state (default k3s-calico, or k3s-flannel with cni 'flannel'); a number means that default with deterministic uids and names from that seed. */
  seed?: SeedName | number;
  /** Milliseconds from scheduling to Running/Ready (default 300). */
  podStartDelayMs?: number;
  /** Controller period in ms (default 150). */
  tickMs?: number;
  token?: string;
  log?: (line: string) => void;
  /** Called when a Cilium agent pod starts on a node, with its decision and effective config (the lab writes the node's conflist). */
  onCiliumAgent?: CiliumAgentHook;
  /** Whether the node's K3s still runs its embedded Flannel (the lab's simulated K3s, src/lab/netns/k3s-service.ts). */
  flannelActive?: (nodeName: string) => boolean;
}

/** Read access for tests and the lab. */
export interface KubeSimStore {
  list(apiVersion: string, kind: string, namespace?: string): KObject[];
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KObject | undefined;
  readonly resourceVersion: number;
}

export interface KubeSim {
  url: string;
  kubeconfigPath: string;
  token: string;
  store: KubeSimStore;
  /** Run the controllers once now (tests use it to avoid waiting for the next tick). */
  tick(): void;
  /** Set a node's reachability by hand (overrides its probe until the probe answers again). */
  setReachable(name: string, reachable: boolean): void;
  close(): Promise<void>;
  stop(): Promise<void>;
}

function labNodes(o: KubeSimOptions): Array<LabNode & { probe?: () => Promise<boolean> | boolean }> {
  const list: KubeSimNode[] = typeof o.nodes === 'number' || o.nodes === undefined
    ? Array.from({ length: typeof o.nodes === 'number' ? o.nodes : 3 }, (_, i) => ({ name: `node${i + 1}`, internalIP: `10.99.0.${11 + i}` }))
    : o.nodes;
  const anyRoles = list.some((n) => n.roles?.length);
  return list.map((n, i) => {
    const probe = n.isReachable ?? (o.nodeReady ? () => o.nodeReady!(n.name) : undefined);
    return {
      name: n.name,
      internalIP: n.internalIP ?? n.address ?? `10.99.0.${11 + i}`,
      roles: n.roles ?? (!anyRoles && i === 0 ? ['control-plane', 'master'] : []),
      labels: n.labels ?? {},
      reachable: true,
      ...(probe ? { probe } : {}),
    };
  });
}

/** Tiny deterministic PRNG (mulberry32) for pod/ReplicaSet name suffixes. */
function suffixes(seed: number | undefined): () => string {
  let s = seed ?? Math.floor(Math.random() * 2 ** 31);
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return () => {
    let out = '';
    for (let i = 0; i < 5; i++) {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), 1 | s);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      out += alphabet[((t ^ (t >>> 14)) >>> 0) % alphabet.length];
    }
    return out;
  };
}

export async function startKubeSim(o: KubeSimOptions): Promise<KubeSim> {
  mkdirSync(o.dir, { recursive: true });
  const store = new Store();
  const registry = new Registry();
  const numericSeed = typeof o.seed === 'number' ? o.seed : undefined;
  const api = new Api(store, registry, numericSeed !== undefined ? `s${numericSeed}` : undefined);
  const loaded = o.stateFile ? store.load(o.stateFile) : false;
  if (loaded) api.refreshCrds();
  else applySeed(api, typeof o.seed === 'string' ? o.seed : o.cni === 'flannel' ? 'k3s-flannel' : 'k3s-calico');
  const nodes = labNodes(o);
  const t = (g: string, p: string): ResourceType => registry.find(g, 'v1', p)!;
  const ctx: Ctx = {
    api,
    t: {
      pods: t('', 'pods'),
      nodes: t('', 'nodes'),
      namespaces: t('', 'namespaces'),
      configmaps: t('', 'configmaps'),
      deployments: t('apps', 'deployments'),
      replicasets: t('apps', 'replicasets'),
      daemonsets: t('apps', 'daemonsets'),
      statefulsets: t('apps', 'statefulsets'),
      pdbs: t('policy', 'poddisruptionbudgets'),
      jobs: t('batch', 'jobs'),
    },
    nodes,
    baseCni: o.cni ?? 'calico',
    suffix: suffixes(numericSeed),
    startDelayMs: o.podStartDelayMs ?? 300,
    restarted: new Set(),
    ...(o.onCiliumAgent ? { onCiliumAgent: o.onCiliumAgent } : {}),
    ...(o.flannelActive ? { flannelActive: o.flannelActive } : {}),
  };
  // Controllers run synchronously, so the first ticks settle the seeded objects before serving.
  for (let i = 0; i < 4; i++) tick(ctx, o.log);

  let dirty = false;
  store.onChange = () => {
    dirty = true;
  };
  const save = (): void => {
    if (o.stateFile && dirty) {
      store.save(o.stateFile);
      dirty = false;
    }
  };
  const ticker = setInterval(() => {
    tick(ctx, o.log);
    save();
  }, o.tickMs ?? 150);
  let probing = false;
  const prober = setInterval(() => {
    if (probing) return;
    probing = true;
    void Promise.all(
      nodes.map(async (n) => {
        if (!n.probe) return;
        try {
          n.reachable = await Promise.race([Promise.resolve(n.probe()), new Promise<boolean>((r) => setTimeout(() => r(false), 2000))]);
        } catch {
          n.reachable = false;
        }
      }),
    ).finally(() => {
      probing = false;
    });
  }, 500);

  const token = o.token ?? randomBytes(16).toString('hex');
  const execTargets = new Map(Array.isArray(o.nodes) ? o.nodes.filter((n) => n.exec).map((n) => [n.name, n.exec!] as const) : []);
  const { server, closeWatches } = createApiServer(api, {
    token,
    ...(o.log ? { log: o.log } : {}),
    exec: { dir: o.dir, target: (name) => execTargets.get(name) },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const kubeconfigPath = join(o.dir, 'kubeconfig');
  writeKubeconfig(kubeconfigPath, url, token);

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      clearInterval(ticker);
      clearInterval(prober);
      closeWatches();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      dirty = true;
      save();
    })());

  const find = (apiVersion: string, kind: string): ResourceType | undefined => registry.byKind(apiVersion, kind);
  return {
    url,
    kubeconfigPath,
    token,
    store: {
      list: (av, kind, ns) => {
        const rt = find(av, kind);
        return rt ? store.list(rt, ns).map((x) => api.present(rt, x)) : [];
      },
      get: (av, kind, ns, name) => {
        const rt = find(av, kind);
        const x = rt ? store.get(rt, ns, name) : undefined;
        return rt && x ? api.present(rt, x) : undefined;
      },
      get resourceVersion() {
        return store.resourceVersion;
      },
    },
    tick: () => tick(ctx, o.log),
    setReachable: (name, reachable) => {
      const n = nodes.find((x) => x.name === name);
      if (n) {
        n.reachable = reachable;
        delete n.probe;
      }
    },
    close,
    stop: close,
  };
}

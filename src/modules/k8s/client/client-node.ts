/**
 * @kubernetes/client-node, loaded on first use. Importing it costs about 0.3 s, which every
 * philote run paid before, Kubernetes steps or not; now only runs that talk to an API server do.
 * (Node 20.19+ loads this ES module synchronously through require.)
 */
import { createRequire } from 'node:module';
import type * as ClientNode from '@kubernetes/client-node';

let mod: typeof ClientNode | undefined;

export function clientNode(): typeof ClientNode {
  mod ??= createRequire(import.meta.url)('@kubernetes/client-node') as typeof ClientNode;
  return mod;
}

import type { ToolName } from '../paths.js';
import { conformanceRecipe } from './conformance.js';
import { corednsRecipe } from './coredns.js';
import { echoBasicRecipe } from './echo-basic.js';
import { envoyRecipe } from './envoy.js';
import { etcdRecipe } from './etcd.js';
import { gatewayApiRecipe } from './gateway-api.js';
import { kubernetesRecipe } from './kubernetes.js';
import { kustomizeRecipe } from './kustomize.js';
import { natsServerRecipe } from './nats-server.js';
import { nodeRecipe } from './node.js';
import type { Recipe } from './recipe.js';

export type { Recipe } from './recipe.js';
export { needsPinnedNode } from './node.js';

export const RECIPES: Readonly<Record<ToolName, Recipe>> = {
  node: nodeRecipe,
  kubernetes: kubernetesRecipe,
  etcd: etcdRecipe,
  'nats-server': natsServerRecipe,
  envoy: envoyRecipe,
  'gateway-api': gatewayApiRecipe,
  'echo-basic': echoBasicRecipe,
  conformance: conformanceRecipe,
  coredns: corednsRecipe,
  kustomize: kustomizeRecipe,
};

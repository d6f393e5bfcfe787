// Where each pinned tool lives once provisioned. The layout is the contract between the
// provisioner (provision.ts) and everything that runs a tool (the harness, `mgw dev`):
//
//   <cache>/<tool>-<version>/bin/<binary>      the executables
//   <cache>/<tool>-<version>/.complete         written last, only after the tool was verified
//
// A directory without `.complete` is never used: it is an interrupted build, replaced by the next run.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const pinsSchema = z.object({
  node: z.string(),
  kubernetes: z.string(),
  etcd: z.string(),
  natsServer: z.string(),
  envoy: z.string(),
  gatewayApi: z.string(),
  gatewayApiGoToolchain: z.string(),
  echoBasic: z.string(),
  coredns: z.string(),
  kustomize: z.string(),
});
export type Pins = z.infer<typeof pinsSchema>;

export type ToolName = 'node' | 'kubernetes' | 'etcd' | 'nats-server' | 'envoy' | 'gateway-api' | 'echo-basic' | 'conformance' | 'coredns' | 'kustomize';
export const TOOL_NAMES: readonly ToolName[] = ['node', 'kubernetes', 'etcd', 'nats-server', 'envoy', 'gateway-api', 'echo-basic', 'conformance', 'coredns', 'kustomize'];

export interface ToolPaths {
  node: string;
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeProxy: string;
  natsServer: string;
  envoy: string;
  gatewayApiCrds: { standard: string; experimental: string };
  /** The conformance suite's echo backend (the local cluster runs its image as this binary). */
  echoBasic: string;
  /** The conformance suite's base manifests (Namespaces, backends, Gateways), of the echo-basic pin. */
  conformanceBaseManifests: string;
  /** The conformance suite compiled as a Go test binary (`-gateway-class`, `-report-output`, …). */
  conformanceTest: string;
  coredns: string;
  /** Renders deploy/'s kustomizations. */
  kustomize: string;
}

/** The repository root (this file is test/{src,dist}/toolchain/paths.{ts,js}). */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
}

export function loadPins(root: string = repoRoot()): Pins {
  const raw: unknown = JSON.parse(readFileSync(join(root, 'scripts/toolchain.json'), 'utf8'));
  return pinsSchema.parse(raw);
}

/** `$MGW_CACHE_DIR`, else `$XDG_CACHE_HOME/microgateway`, else `~/.cache/microgateway`. */
export function cacheRoot(): string {
  if (process.env.MGW_CACHE_DIR) return resolve(process.env.MGW_CACHE_DIR);
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'microgateway');
}

export function pinnedVersion(tool: ToolName, pins: Pins): string {
  switch (tool) {
    case 'node': return pins.node;
    case 'kubernetes': return pins.kubernetes;
    case 'etcd': return pins.etcd;
    case 'nats-server': return pins.natsServer;
    case 'envoy': return pins.envoy;
    case 'gateway-api': return pins.gatewayApi;
    case 'echo-basic': return pins.echoBasic;
    // The suite and its echo backend come from the same module version (see recipes/conformance.ts).
    case 'conformance': return pins.echoBasic;
    case 'coredns': return pins.coredns;
    case 'kustomize': return pins.kustomize;
  }
}

export function toolDir(tool: ToolName, pins: Pins = loadPins(), root: string = cacheRoot()): string {
  return join(root, `${tool}-${pinnedVersion(tool, pins)}`);
}

export const COMPLETE_MARKER = '.complete';

/** The executables each tool puts under `bin/` (gateway-api has none: it provides `crds/`). */
export const TOOL_BINARIES: Readonly<Record<ToolName, readonly string[]>> = {
  node: ['node'],
  kubernetes: ['kube-apiserver', 'kube-controller-manager', 'kube-proxy'],
  etcd: ['etcd'],
  'nats-server': ['nats-server'],
  envoy: ['envoy'],
  'gateway-api': [],
  'echo-basic': ['echo-basic'],
  conformance: ['conformance.test'],
  coredns: ['coredns'],
  kustomize: ['kustomize'],
};

export function isToolName(name: string): name is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(name);
}

export function toolPaths(pins: Pins = loadPins(), root: string = cacheRoot()): ToolPaths {
  const bin = (tool: ToolName, name: string): string => join(toolDir(tool, pins, root), 'bin', name);
  const crds = join(toolDir('gateway-api', pins, root), 'crds');
  return {
    node: bin('node', 'node'),
    etcd: bin('etcd', 'etcd'),
    kubeApiserver: bin('kubernetes', 'kube-apiserver'),
    kubeControllerManager: bin('kubernetes', 'kube-controller-manager'),
    kubeProxy: bin('kubernetes', 'kube-proxy'),
    natsServer: bin('nats-server', 'nats-server'),
    envoy: bin('envoy', 'envoy'),
    gatewayApiCrds: { standard: join(crds, 'standard'), experimental: join(crds, 'experimental') },
    echoBasic: bin('echo-basic', 'echo-basic'),
    conformanceTest: bin('conformance', 'conformance.test'),
    conformanceBaseManifests: join(toolDir('echo-basic', pins, root), 'conformance', 'base', 'manifests.yaml'),
    coredns: bin('coredns', 'coredns'),
    kustomize: bin('kustomize', 'kustomize'),
  };
}

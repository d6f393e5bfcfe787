// The harness as a library: real components for tests and for `mgw dev`.
export type * from './types.js';
export {
  freePort,
  freePorts,
  killRecordedProcesses,
  processGroupMembers,
  readStartTime,
  requireBinary,
  startProcess,
  tail,
  waitFor,
} from './process.js';
export type { ProcessExit, ProcessHandle, ProcessRecord, StartProcessOptions, WaitForOptions } from './process.js';
export { readCrds, serviceAccountKeys, startKubeControlPlane } from './kube.js';
export type { CrdChannel, KubeControlPlane, KubeIdentity, StartKubeOptions } from './kube.js';
export { NATS_APP_ACCOUNT, NATS_SYSTEM_ACCOUNT, renderNatsConfig, startNats } from './nats.js';
export type { NatsCredentials, NatsRuntimeOptions, StartNatsOptions } from './nats.js';
export { bootstrapObject, startEnvoy, validateEnvoyConfig } from './envoy.js';
export type { StartEnvoyOptions } from './envoy.js';
export { parseBackends, resolveBackends, startEnvoyOn, startNatsOn, validateEnvoyOn } from './backend.js';
export { buildWaf, sampleValue, startWaf, wafEnvoyBootstrap, wafSourceDir, wafSourceHash } from './waf.js';
export type { StartWafOptions, WafCommand, WafHandle, WafRoute } from './waf.js';

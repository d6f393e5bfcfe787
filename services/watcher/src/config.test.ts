import { parseServiceConfig } from '@microgateway/runtime';
import { describe, expect, it } from 'vitest';
import { watcherConfigSchema } from './config.js';

describe('watcherConfigSchema', () => {
  it('runs without Kubernetes access unless configured', () => {
    const { config } = parseServiceConfig(watcherConfigSchema, { fileText: undefined, env: {} });
    expect(config.kubernetes).toEqual({ inCluster: false });
  });

  it('takes the kubeconfig from the file or MGW_KUBECONFIG, and in-cluster access from the file', () => {
    expect(parseServiceConfig(watcherConfigSchema, { fileText: undefined, env: { MGW_KUBECONFIG: '/k' } }).config.kubernetes.kubeconfig).toBe('/k');
    expect(parseServiceConfig(watcherConfigSchema, { fileText: 'kubernetes: {inCluster: true}', env: {} }).config.kubernetes.inCluster).toBe(true);
  });
});

describe('watcher settings', () => {
  it('default to a 6 s lease renewed every second, and refuse timings that could overlap two leaders', () => {
    const { config } = parseServiceConfig(watcherConfigSchema, { fileText: undefined, env: {} });
    expect(config.watcher.leaderElection).toEqual({ enabled: true, namespace: 'microgateway-system', leaseDurationSeconds: 6, renewDeadlineMs: 4_000, retryPeriodMs: 1_000 });
    expect(() => parseServiceConfig(watcherConfigSchema, { fileText: 'watcher: {leaderElection: {leaseDurationSeconds: 3, renewDeadlineMs: 3000}}', env: {} })).toThrow(/renewDeadlineMs/);
    expect(() => parseServiceConfig(watcherConfigSchema, { fileText: 'watcher: {leaderElection: {retryPeriodMs: 5000}}', env: {} })).toThrow(/retryPeriodMs/);
    expect(() => parseServiceConfig(watcherConfigSchema, { fileText: 'watcher: {unknown: 1}', env: {} })).toThrow(/unknown/);
  });
});

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

import { parseServiceConfig } from '@microgateway/runtime';
import { describe, expect, it } from 'vitest';
import { caConfigSchema } from './config.js';

describe('caConfigSchema', () => {
  it('runs without Kubernetes access unless configured', () => {
    const { config } = parseServiceConfig(caConfigSchema, { fileText: undefined, env: {} });
    expect(config.kubernetes).toEqual({ inCluster: false });
  });

  it('takes the kubeconfig from the file or MGW_KUBECONFIG, and in-cluster access from the file', () => {
    expect(parseServiceConfig(caConfigSchema, { fileText: undefined, env: { MGW_KUBECONFIG: '/k' } }).config.kubernetes.kubeconfig).toBe('/k');
    expect(parseServiceConfig(caConfigSchema, { fileText: 'kubernetes: {inCluster: true}', env: {} }).config.kubernetes.inCluster).toBe(true);
  });
});

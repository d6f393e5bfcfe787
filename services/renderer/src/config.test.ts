import { parseServiceConfig } from '@microgateway/runtime';
import { describe, expect, it } from 'vitest';
import { rendererConfigSchema } from './config.js';

describe('rendererConfigSchema', () => {
  it('has no Kubernetes settings: a kubernetes section is an error and MGW_KUBECONFIG is ignored', () => {
    expect(() => parseServiceConfig(rendererConfigSchema, { fileText: 'kubernetes: {inCluster: true}', env: {} })).toThrow(
      '- kubernetes: unknown setting',
    );
    const { config } = parseServiceConfig(rendererConfigSchema, { fileText: undefined, env: { MGW_KUBECONFIG: '/k' } });
    expect(config).not.toHaveProperty('kubernetes');
  });

  it('has render job defaults and rejects misspelt settings', () => {
    const { config } = parseServiceConfig(rendererConfigSchema, { fileText: undefined, env: {} });
    expect(config.renderer.jobs).toEqual({ ackWaitSeconds: 30, duplicateWindowSeconds: 120, concurrency: 4, retryDelayMs: 1_000, cacheWaitMs: 5_000 });
    expect(config.renderer.controllerName).toBeUndefined();
    expect(() => parseServiceConfig(rendererConfigSchema, { fileText: 'renderer: {jobs: {ackwait: 3}}', env: {} })).toThrow('ackwait');
  });
});

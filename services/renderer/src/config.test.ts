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
});

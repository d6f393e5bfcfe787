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

describe('certificate settings', () => {
  it('default to 4-day bootstrap certificates renewed every 48 hours', () => {
    const { config } = parseServiceConfig(caConfigSchema, { fileText: undefined, env: {} });
    expect(config.certificates).toMatchObject({ bootstrapLifetimeSeconds: 345_600, renewEverySeconds: 172_800 });
    expect(config.bootstrap.mountPath).toBe('/etc/microgateway/bootstrap');
  });

  it('refuse bootstrap lifetimes over 7 days and renewal intervals not shorter than the lifetime', () => {
    expect(() => parseServiceConfig(caConfigSchema, { fileText: 'certificates: {bootstrapLifetimeSeconds: 604801}', env: {} })).toThrow(/bootstrapLifetimeSeconds/);
    expect(() =>
      parseServiceConfig(caConfigSchema, { fileText: 'certificates: {bootstrapLifetimeSeconds: 60, renewEverySeconds: 60}', env: {} }),
    ).toThrow(/renewEverySeconds/);
  });
});

describe('CA rotation settings', () => {
  it('default to rotating at 2/3 of the CA lifetime, each phase lasting at least 5 minutes', () => {
    const { config } = parseServiceConfig(caConfigSchema, { fileText: undefined, env: {} });
    expect(config.certificates).toMatchObject({ caRotateAtFraction: 2 / 3, caRotationMinPhaseSeconds: 300 });
  });

  it('refuse fractions outside (0, 1)', () => {
    expect(() => parseServiceConfig(caConfigSchema, { fileText: 'certificates: {caRotateAtFraction: 1}', env: {} })).toThrow(/caRotateAtFraction/);
  });
});

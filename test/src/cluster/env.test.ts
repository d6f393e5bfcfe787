import { describe, expect, it } from 'vitest';
import { buildEnv, ConfigError, expandReferences, fieldValue } from './env.js';
import type { Pod } from './types.js';

const pod: Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u-1', labels: { app: 'x' } },
  spec: { nodeName: 'n', serviceAccountName: 'sa', containers: [] },
};
const sources = {
  configMap: (_ns: string, name: string) => (name === 'cm' ? { metadata: { name: 'cm' }, data: { A: 'from-cm' } } : undefined),
  secret: (_ns: string, name: string) => (name === 's' ? { metadata: { name: 's' }, data: { B: Buffer.from('from-secret').toString('base64') } } : undefined),
};

describe('container environment', () => {
  it('resolves fieldRefs', () => {
    expect(fieldValue(pod, 'metadata.name', '10.0.0.2', '10.0.0.1')).toBe('p');
    expect(fieldValue(pod, 'status.podIP', '10.0.0.2', '10.0.0.1')).toBe('10.0.0.2');
    expect(fieldValue(pod, "metadata.labels['app']", '', '')).toBe('x');
    expect(() => fieldValue(pod, 'spec.nope', '', '')).toThrow(ConfigError);
  });

  it('expands $(VAR) and keeps $$(VAR) literal', () => {
    expect(expandReferences('$(A)-$(MISSING)-$$(A)', { A: '1' })).toBe('1-$(MISSING)-$(A)');
  });

  it('builds envFrom, values, key refs and fails on a missing required key', () => {
    const ctx = { pod, podIp: '10.0.0.2', hostIp: '10.0.0.1', sources, base: { PATH: '/bin' } };
    const env = buildEnv(ctx, [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }], [
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'B' } } },
      { name: 'BOTH', value: '$(IP)/$(B)' },
    ]);
    expect(env).toEqual({ PATH: '/bin', CM_A: 'from-cm', IP: '10.0.0.2', B: 'from-secret', BOTH: '10.0.0.2/from-secret' });
    expect(() => buildEnv(ctx, undefined, [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'nope' } } }])).toThrow(/couldn't find key nope/);
    expect(() => buildEnv(ctx, [{ secretRef: { name: 'absent' } }], undefined)).toThrow(/not found/);
  });
});

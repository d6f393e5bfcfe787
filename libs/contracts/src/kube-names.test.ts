import { describe, expect, it } from 'vitest';
import { CA_SECRET_NAME, MAX_LABEL_VALUE, caSecretName, MAX_OBJECT_NAME, bootstrapSecretName, boundedName, gatewayLabelValue } from './kube-names.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

describe('Kubernetes names', () => {
  it('keep short names readable', () => {
    expect(CA_SECRET_NAME).toBe('microgateway-ca-cert');
    // Two instances never share a CA key: each has its own Secret.
    expect(caSecretName('default')).toBe(CA_SECRET_NAME);
    expect(caSecretName('blue')).toBe('microgateway-blue-ca-cert');
    expect(bootstrapSecretName('edge')).toBe('edge-mgw-bootstrap');
    expect(gatewayLabelValue('edge.example')).toBe('edge.example');
  });

  it('shorten long names to valid, distinct, stable names', () => {
    const long = `${'a'.repeat(240)}.${'b'.repeat(12)}`;
    const other = `${'a'.repeat(240)}.${'c'.repeat(12)}`;
    const name = bootstrapSecretName(long);
    expect(name).toHaveLength(MAX_OBJECT_NAME);
    expect(name).toMatch(DNS_SUBDOMAIN);
    expect(name.endsWith('-mgw-bootstrap')).toBe(true);
    expect(bootstrapSecretName(other)).not.toBe(name);
    expect(bootstrapSecretName(long)).toBe(name);
    expect(gatewayLabelValue(long).length).toBeLessThanOrEqual(MAX_LABEL_VALUE);
  });

  it('never ends the cut part with a separator', () => {
    const name = boundedName(`${'a'.repeat(10)}.-${'b'.repeat(20)}`, '-x', 22);
    expect(name).toMatch(/^a{10}-[0-9a-f]{8}-x$/);
  });

  it('refuses a suffix that leaves no room', () => {
    expect(() => boundedName('abcdef', '-long-suffix', 12)).toThrow(/cannot fit/);
  });
});

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { bootstrapSecret, bootstrapSecretSelector } from './bootstrap-secret.js';

// The SDS files are what a real Envoy reads (the integration test loads them); the golden file
// pins their exact shape and the Secret's metadata for review.
describe('bootstrapSecret', () => {
  const manifest = bootstrapSecret(
    'default',
    { namespace: 'prod', name: 'edge.example', uid: '0b5c7f7e-5e7a-4b43-9a57-0d5d2d1e2f10' },
    { certificatePem: '<certificate>', privateKeyPem: '<key>', caBundlePem: '<bundle>' },
    { mountPath: '/etc/microgateway/bootstrap/', xdsServerNames: ['microgateway-default-renderer.microgateway-system.svc'] },
  );

  it('matches the golden Secret (labels, owner reference, SDS files)', async () => {
    await expect(stringify(manifest)).toMatchFileSnapshot(join(import.meta.dirname, 'testdata', 'bootstrap-secret.golden.yaml'));
  });

  it('has no owner reference when the Gateway uid is unknown', () => {
    const withoutUid = bootstrapSecret('default', { namespace: 'prod', name: 'edge' }, { certificatePem: 'c', privateKeyPem: 'k', caBundlePem: 'b' }, { mountPath: '/m', xdsServerNames: ['x'] });
    expect(withoutUid.metadata.ownerReferences).toEqual([]);
  });

  it('is named after the Gateway and found by the instance selector', () => {
    expect(manifest.metadata.name).toBe('edge.example-mgw-bootstrap');
    expect(bootstrapSecretSelector('default')).toBe('microgateway.dev/instance=default,microgateway.dev/component=bootstrap');
    expect(manifest.metadata.labels['microgateway.dev/component']).toBe('bootstrap');
  });
});

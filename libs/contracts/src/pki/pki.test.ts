import { describe, expect, it } from 'vitest';
import {
  BOOTSTRAP_SECRET_KEYS,
  certJobMessageId,
  certJobSchema,
  deployerWebhookSecretName,
  deployerWebhookServiceName,
  infraGatewayIdentitySchema,
  rendererServiceName,
  rendererServingSecretName,
  sidecarInjectorWebhookConfigName,
} from './index.js';

describe('pki contracts', () => {
  it('a cert job names a Gateway and a known reason, nothing more', () => {
    const job = { gateway: { namespace: 'prod', name: 'edge' }, reason: 'renewal-due', requestedAt: '2026-03-01T12:00:00Z' };
    expect(certJobSchema.parse(job)).toEqual(job);
    expect(certJobSchema.safeParse({ ...job, reason: 'whim' }).success).toBe(false);
    expect(certJobSchema.safeParse({ ...job, privateKey: 'x' }).success).toBe(false);
  });

  it('replicas that notice the same fact enqueue the same message id', () => {
    const job = { gateway: { namespace: 'prod', name: 'edge' }, reason: 'renewal-due' as const };
    expect(certJobMessageId(job, 'serial-0a')).toBe(certJobMessageId({ ...job }, 'serial-0a'));
    expect(certJobMessageId(job, 'serial-0a')).not.toBe(certJobMessageId(job, 'serial-0b'));
  });

  it('reads the Gateway identity from an infra entry and lets the rest through', () => {
    const entry = { gateway: { namespace: 'prod', name: 'edge', uid: 'u-1', generation: 3 }, replicas: 2 };
    expect(infraGatewayIdentitySchema.parse(entry)).toEqual(entry);
    expect(infraGatewayIdentitySchema.parse({ gateway: { namespace: 'prod', name: 'edge' } }).gateway.uid).toBeUndefined();
    expect(infraGatewayIdentitySchema.safeParse({ gateway: { namespace: 'prod' } }).success).toBe(false);
  });

  it('names the renderer Service and its serving Secret per instance', () => {
    expect(rendererServiceName('default')).toBe('microgateway-default-renderer');
    expect(rendererServingSecretName('blue')).toBe('microgateway-blue-renderer-xds-tls');
    expect(() => rendererServingSecretName('Not Valid')).toThrow();
    expect(BOOTSTRAP_SECRET_KEYS).toEqual(['tls.crt', 'tls.key', 'ca.crt', 'tls-certificate.sds.json', 'validation-context.sds.json']);
  });

  it('names the deployer webhook Service, its serving Secret and the injector configuration per instance', () => {
    expect(deployerWebhookServiceName('default')).toBe('microgateway-default-deployer-webhook');
    expect(deployerWebhookSecretName('blue')).toBe('microgateway-blue-deployer-webhook-tls');
    expect(sidecarInjectorWebhookConfigName('default')).toBe('microgateway-default-sidecar-injector');
    expect(() => sidecarInjectorWebhookConfigName('Not Valid')).toThrow();
  });
});

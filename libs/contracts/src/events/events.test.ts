import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, eventSchemas, microgatewayEventSchema } from './catalog.js';
import type { EventData, EventType } from './catalog.js';
import { buildEvent, eventNatsSubject, eventSource } from './build.js';
import { cloudEventSchema } from './envelope.js';
import { z } from 'zod';

const digest = `sha256:${'ab'.repeat(32)}`;
const gateway = { namespace: 'prod', name: 'edge.example' };
const certificate = {
  gateway,
  secret: { namespace: 'prod', name: 'edge.example-mgw-bootstrap' },
  serial: '0a1b',
  notBefore: '2026-01-01T00:00:00Z',
  notAfter: '2026-01-03T00:00:00Z',
  spiffeId: 'spiffe://default.microgateway.dev/ns/prod/gateway/edge.example',
};

/** One valid data payload per event type; the record type makes a new event type fail to compile here. */
const samples: { [T in EventType]: EventData<T> } = {
  'dev.microgateway.resource.changed': {
    kind: 'HTTPRoute',
    namespace: 'prod',
    name: 'api.v1',
    resourceVersion: '42',
    generation: 3,
    digest,
    changedFields: ['spec.rules'],
  },
  'dev.microgateway.resource.deleted': { kind: 'GatewayClass', name: 'microgateway', resourceVersion: '7' },
  'dev.microgateway.resource.rejected': {
    kind: 'HTTPRoute',
    namespace: 'prod',
    name: 'api',
    problems: [{ field: 'spec.rules[0].filters[0].type', reason: 'UnsupportedValue', message: 'CORS is not supported' }],
  },
  'dev.microgateway.config.rendered': { gateway, version: 'v12', digest, inputCount: 1, inputsDigest: digest, inputs: [{ kind: 'Gateway', ...gateway, resourceVersion: '5' }] },
  'dev.microgateway.config.accepted': { gateway, version: 'v12', node: 'prod/edge.example/pod-1', typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster' },
  'dev.microgateway.config.rejected': {
    gateway,
    version: 'v12',
    node: 'prod/edge.example/pod-1',
    typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
    message: 'duplicate cluster',
  },
  'dev.microgateway.infra.applied': { gateway, digest, objects: [{ kind: 'Deployment', name: 'edge.example' }] },
  'dev.microgateway.certificate.issued': certificate,
  'dev.microgateway.certificate.renewed': certificate,
  'dev.microgateway.certificate.repaired': { ...certificate, reason: 'KeyMismatch' },
  'dev.microgateway.certificate.failed': { gateway, reason: 'ApiException', message: 'secrets is forbidden', attempt: 2, retryInSeconds: 4 },
};

const options = { instance: 'default', source: 'renderer', id: 'evt-1', time: new Date('2026-01-02T03:04:05.678Z') };

function build<T extends EventType>(type: T): ReturnType<typeof buildEvent<T>> {
  return buildEvent(type, samples[type], options);
}

describe('buildEvent', () => {
  it('fills the CloudEvents envelope from injected id and time', () => {
    expect(build('dev.microgateway.resource.changed')).toEqual({
      specversion: '1.0',
      id: 'evt-1',
      source: 'urn:microgateway:default:renderer',
      type: 'dev.microgateway.resource.changed',
      subject: 'HTTPRoute/prod/api.v1',
      time: '2026-01-02T03:04:05.678Z',
      datacontenttype: 'application/json',
      data: samples['dev.microgateway.resource.changed'],
    });
  });

  it('builds a valid event of every type that the union parses back unchanged', () => {
    for (const type of EVENT_TYPES) {
      const event = build(type);
      expect(microgatewayEventSchema.parse(JSON.parse(JSON.stringify(event)))).toEqual(event);
    }
  });

  it('names the object each event is about in subject and NATS subject', () => {
    expect(build('dev.microgateway.resource.deleted').subject).toBe('GatewayClass/microgateway');
    expect(eventNatsSubject('default', build('dev.microgateway.resource.deleted'))).toBe(
      'mgw.default.events.resource.deleted.GatewayClass._.microgateway',
    );
    expect(build('dev.microgateway.config.rendered').subject).toBe('Gateway/prod/edge.example');
    expect(eventNatsSubject('default', build('dev.microgateway.certificate.renewed'))).toBe(
      'mgw.default.events.certificate.renewed.Gateway.prod.edge=2Eexample',
    );
    const serving = buildEvent('dev.microgateway.certificate.issued', { ...certificate, gateway: undefined }, options);
    expect(serving.subject).toBe('Secret/prod/edge.example-mgw-bootstrap');
  });

  it('refuses invalid data and envelope values instead of publishing them', () => {
    const changed = samples['dev.microgateway.resource.changed'];
    expect(() => buildEvent('dev.microgateway.resource.changed', { ...changed, digest: 'md5:00' }, options)).toThrow();
    expect(() => buildEvent('dev.microgateway.resource.rejected', { ...samples['dev.microgateway.resource.rejected'], problems: [] }, options)).toThrow();
    expect(() => buildEvent('dev.microgateway.resource.changed', changed, { ...options, time: 'yesterday' })).toThrow();
    expect(() => buildEvent('dev.microgateway.resource.changed', changed, { ...options, id: '' })).toThrow();
    expect(() => buildEvent('dev.microgateway.resource.changed', changed, { ...options, source: 'Renderer' })).toThrow(/component/);
  });

  it('keeps an explicit dataschema', () => {
    const event = buildEvent('dev.microgateway.infra.applied', samples['dev.microgateway.infra.applied'], { ...options, dataschema: 'https://x/s.json' });
    expect(event.dataschema).toBe('https://x/s.json');
  });
});

describe('event schemas', () => {
  it('reject an event whose data does not match its type', () => {
    const event = { ...build('dev.microgateway.config.accepted'), type: 'dev.microgateway.resource.changed' };
    expect(microgatewayEventSchema.safeParse(event).success).toBe(false);
    expect(microgatewayEventSchema.safeParse({ ...build('dev.microgateway.config.accepted'), type: 'dev.microgateway.unknown' }).success).toBe(false);
  });

  it('accept RFC 3339 offsets and keep CloudEvents extension attributes', () => {
    const event = { ...build('dev.microgateway.infra.applied'), time: '2026-01-02T05:04:05+02:00', traceparent: '00-abc-def-01' };
    expect(eventSchemas['dev.microgateway.infra.applied'].parse(event)).toMatchObject({ traceparent: '00-abc-def-01' });
  });

  it('reject another spec version or content type', () => {
    const event = build('dev.microgateway.infra.applied');
    expect(microgatewayEventSchema.safeParse({ ...event, specversion: '0.3' }).success).toBe(false);
    expect(microgatewayEventSchema.safeParse({ ...event, datacontenttype: 'text/plain' }).success).toBe(false);
  });

  it('are generic over the data schema', () => {
    const custom = cloudEventSchema('dev.example.thing', z.object({ n: z.number() }));
    const base = { ...build('dev.microgateway.infra.applied'), type: 'dev.example.thing' };
    expect(custom.safeParse({ ...base, data: { n: 1 } }).success).toBe(true);
    expect(custom.safeParse({ ...base, data: { n: 'x' } }).success).toBe(false);
  });

  it('carry no private key material in certificate events', () => {
    const fields = Object.keys(eventSchemas['dev.microgateway.certificate.issued'].shape.data.shape);
    expect(fields).toContain('serial');
    for (const field of fields) expect(field).not.toMatch(/key|pem|private/i);
    const smuggled = { ...certificate, privateKey: '-----BEGIN PRIVATE KEY-----' };
    expect(buildEvent('dev.microgateway.certificate.issued', smuggled, options).data).not.toHaveProperty('privateKey');
  });

  it('derive the source from instance and component', () => {
    expect(eventSource('team-a', 'ca')).toBe('urn:microgateway:team-a:ca');
    expect(() => eventSource('Team', 'ca')).toThrow();
  });
});

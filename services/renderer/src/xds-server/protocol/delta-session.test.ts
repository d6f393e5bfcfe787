import { XDS_TYPE_URLS, xdsTypeShortOf } from '@microgateway/contracts';
import { describe, expect, it } from 'vitest';
import { DeltaSession } from './delta-session.js';
import { buildSnapshot } from './snapshot.js';
import type { DeltaRequest, DeltaResponse, Snapshot, XdsType } from './types.js';

type Spec = Partial<Record<XdsType, Record<string, string>>>;

/** A snapshot whose bodies name their resource, from { type: { name: version } }. */
function snapshot(version: string, spec: Spec): Snapshot<string> {
  const entries = Object.entries(spec).flatMap(([type, resources]) =>
    Object.entries(resources).map(([name, resourceVersion]) => ({ type: type as XdsType, name, version: resourceVersion, body: `${type}/${name}@${resourceVersion}` })),
  );
  return buildSnapshot(version, entries);
}

function session(): DeltaSession<string> {
  let counter = 0;
  return new DeltaSession<string>({ nextNonce: () => `n${++counter}` });
}

function request(type: XdsType, fields: Omit<DeltaRequest, 'type_url'> = {}): DeltaRequest {
  return { type_url: XDS_TYPE_URLS[type], ...fields };
}

/** A response as `<type> <version>: +name@version … -removed …`, easy to compare. */
function brief(response: DeltaResponse<string>): string {
  const upserts = response.resources.map((resource) => {
    expect(resource.resource).toBe(`${xdsTypeShortOf(response.type_url)}/${resource.name}@${resource.version}`);
    return `+${resource.name}@${resource.version}`;
  });
  const removals = response.removed_resources.map((name) => `-${name}`);
  return [`${xdsTypeShortOf(response.type_url)} ${response.system_version_info}:`, ...upserts, ...removals].join(' ');
}

const briefs = (result: { responses: DeltaResponse<string>[] }): string[] => result.responses.map(brief);

function ack(delta: DeltaSession<string>, response: DeltaResponse<string> | undefined, extra: Omit<DeltaRequest, 'type_url'> = {}) {
  if (!response) throw new Error('no response to ACK');
  return delta.onRequest({ type_url: response.type_url, response_nonce: response.nonce, ...extra });
}

function nack(delta: DeltaSession<string>, response: DeltaResponse<string> | undefined, message: string) {
  if (!response) throw new Error('no response to NACK');
  return delta.onRequest({ type_url: response.type_url, response_nonce: response.nonce, error_detail: { code: 3, message } });
}

const V1: Spec = {
  cluster: { 'ns/b/80': 'c1', 'ns/a/80': 'c1' },
  endpoint: { 'ns/a/80': 'e1', 'ns/b/80': 'e1' },
  listener: { 'port-80': 'l1' },
  route: { 'port-80': 'r1' },
};

describe('DeltaSession subscriptions', () => {
  it.each([
    { name: 'a first CDS request without names is a wildcard', type: 'cluster', fields: {}, expected: ['cluster v1: +ns/a/80@c1 +ns/b/80@c1'] },
    { name: 'a first LDS request without names is a wildcard', type: 'listener', fields: {}, expected: ['listener v1: +port-80@l1'] },
    { name: '"*" subscribes to every resource', type: 'cluster', fields: { resource_names_subscribe: ['*'] }, expected: ['cluster v1: +ns/a/80@c1 +ns/b/80@c1'] },
    { name: 'CDS with names gets only those', type: 'cluster', fields: { resource_names_subscribe: ['ns/b/80'] }, expected: ['cluster v1: +ns/b/80@c1'] },
    { name: 'RDS without names is not a wildcard (an empty answer)', type: 'route', fields: {}, expected: ['route v1:'] },
    { name: 'EDS gets the subscribed names', type: 'endpoint', fields: { resource_names_subscribe: ['ns/b/80'] }, expected: ['endpoint v1: +ns/b/80@e1'] },
    { name: 'a subscribed name that does not exist is removed', type: 'route', fields: { resource_names_subscribe: ['port-80', 'port-81'] }, expected: ['route v1: +port-80@r1 -port-81'] },
    { name: 'an empty wildcard type gets an (empty) answer', type: 'secret', fields: { resource_names_subscribe: ['*'] }, expected: ['secret v1:'] },
  ] as { name: string; type: XdsType; fields: Omit<DeltaRequest, 'type_url'>; expected: string[] }[])('$name', ({ type, fields, expected }) => {
    const delta = session();
    expect(delta.onSnapshot(snapshot('v1', V1)).responses).toEqual([]);
    const result = delta.onRequest(request(type, fields));
    expect(briefs(result)).toEqual(expected);
    expect(result.outcomes).toEqual([]);
  });

  it('holds responses until the first snapshot', () => {
    const delta = session();
    expect(delta.onRequest(request('cluster')).responses).toEqual([]);
    expect(delta.flowState()).toEqual({ waitingForAck: [], held: ['cluster'] });
    expect(briefs(delta.onSnapshot(snapshot('v1', V1)))).toEqual(['cluster v1: +ns/a/80@c1 +ns/b/80@c1']);
  });

  it('every response carries a fresh nonce and the snapshot version', () => {
    const delta = session();
    delta.onSnapshot(snapshot('v1', V1));
    const first = delta.onRequest(request('cluster')).responses[0];
    const second = ack(delta, first).responses;
    expect(second).toEqual([]);
    const third = delta.onSnapshot(snapshot('v2', { ...V1, cluster: { 'ns/a/80': 'c2', 'ns/b/80': 'c1' } })).responses[0];
    expect([first?.nonce, third?.nonce]).toEqual(['n1', 'n2']);
    expect(third?.system_version_info).toBe('v2');
  });

  it('tells a missing name once, and sends it when it appears', () => {
    const delta = session();
    delta.onSnapshot(snapshot('v1', V1));
    const first = delta.onRequest(request('route', { resource_names_subscribe: ['port-81'] })).responses;
    expect(briefs({ responses: first })).toEqual(['route v1: -port-81']);
    expect(ack(delta, first[0]).responses).toEqual([]);
    expect(delta.onSnapshot(snapshot('v2', V1)).responses).toEqual([]);
    const appeared = delta.onSnapshot(snapshot('v3', { ...V1, route: { 'port-80': 'r1', 'port-81': 'r1' } }));
    expect(briefs(appeared)).toEqual(['route v3: +port-81@r1']);
  });

  it('forgets unsubscribed names: a new subscription sends them again', () => {
    const delta = session();
    delta.onSnapshot(snapshot('v1', V1));
    const first = delta.onRequest(request('endpoint', { resource_names_subscribe: ['ns/a/80'] })).responses;
    expect(ack(delta, first[0], { resource_names_unsubscribe: ['ns/a/80'] }).responses).toEqual([]);
    expect(briefs(delta.onRequest(request('endpoint', { resource_names_subscribe: ['ns/a/80'] })))).toEqual(['endpoint v1: +ns/a/80@e1']);
  });

  it('unsubscribing "*" ends the wildcard', () => {
    const delta = session();
    delta.onSnapshot(snapshot('v1', V1));
    const first = delta.onRequest(request('cluster')).responses;
    expect(ack(delta, first[0], { resource_names_unsubscribe: ['*'] }).responses).toEqual([]);
    expect(delta.onSnapshot(snapshot('v2', { ...V1, cluster: { 'ns/c/80': 'c1' } })).responses).toEqual([]);
  });
});

describe('DeltaSession initial_resource_versions (reconnect)', () => {
  it.each([
    {
      name: 'an up-to-date client gets nothing',
      type: 'cluster',
      fields: { initial_resource_versions: { 'ns/a/80': 'c1', 'ns/b/80': 'c1' } },
      expected: [],
    },
    {
      name: 'an up-to-date explicit subscription gets nothing',
      type: 'route',
      fields: { resource_names_subscribe: ['port-80'], initial_resource_versions: { 'port-80': 'r1' } },
      expected: [],
    },
    {
      name: 'only what differs is sent, and what is gone is removed',
      type: 'listener',
      fields: { initial_resource_versions: { 'port-80': 'l0', 'port-81': 'l0' } },
      expected: ['listener v1: +port-80@l1 -port-81'],
    },
    {
      name: 'a stale cluster is updated at once; a gone one is removed after that ACK',
      type: 'cluster',
      fields: { initial_resource_versions: { 'ns/a/80': 'c0', 'ns/gone/80': 'c0' } },
      expected: ['cluster v1: +ns/a/80@c0→c1'],
    },
  ] as { name: string; type: XdsType; fields: Omit<DeltaRequest, 'type_url'>; expected: string[] }[])('$name', ({ type, fields, expected }) => {
    const delta = session();
    delta.onSnapshot(snapshot('v1', V1));
    const responses = delta.onRequest(request(type, fields)).responses;
    if (type !== 'cluster' || expected.length === 0) {
      expect(briefs({ responses })).toEqual(expected);
      return;
    }
    expect(briefs({ responses })).toEqual(['cluster v1: +ns/a/80@c1 +ns/b/80@c1']);
    expect(briefs(ack(delta, responses[0]))).toEqual(['cluster v1: -ns/gone/80']);
  });
});

describe('DeltaSession updates', () => {
  it('sends only the resources whose version changed, and removes those that left', () => {
    const delta = session();
    delta.onSnapshot(snapshot('v1', V1));
    ack(delta, delta.onRequest(request('listener')).responses[0]);
    const changed = delta.onSnapshot(snapshot('v2', { ...V1, listener: { 'port-80': 'l1', 'port-443': 'l1' } }));
    expect(briefs(changed)).toEqual(['listener v2: +port-443@l1']);
    ack(delta, changed.responses[0]);
    expect(briefs(delta.onSnapshot(snapshot('v3', { ...V1, listener: { 'port-443': 'l2' } })))).toEqual(['listener v3: +port-443@l2 -port-80']);
  });

  it('a snapshot with the same content sends nothing', () => {
    const delta = session();
    delta.onSnapshot(snapshot('v1', V1));
    ack(delta, delta.onRequest(request('cluster')).responses[0]);
    expect(delta.onSnapshot(snapshot('v2', V1)).responses).toEqual([]);
  });

  it('is deterministic: equal inputs give equal responses, resources sorted by name', () => {
    const run = () => {
      const delta = session();
      delta.onRequest(request('cluster'));
      const out = delta.onSnapshot(snapshot('v1', V1)).responses;
      out.push(...ack(delta, out[0], { resource_names_subscribe: ['ns/b/80', 'ns/a/80'] }).responses);
      return out;
    };
    expect(run()).toEqual(run());
    expect(run().map((response) => response.resources.map(({ name }) => name))).toEqual([['ns/a/80', 'ns/b/80']]);
  });
});

describe('DeltaSession ACK, NACK and nonces', () => {
  it('an ACK of the latest nonce is an ack outcome of that version', () => {
    const delta = session();
    delta.onSnapshot(snapshot('v1', V1));
    const [response] = delta.onRequest(request('cluster')).responses;
    expect(delta.flowState().waitingForAck).toEqual([{ type: 'cluster', nonce: 'n1', version: 'v1' }]);
    expect(ack(delta, response).outcomes).toEqual([{ kind: 'ack', type: 'cluster', version: 'v1' }]);
    expect(delta.flowState().waitingForAck).toEqual([]);
  });

  it('a NACK gives one outcome with Envoy\'s message and the same content is not resent', () => {
    const delta = session();
    delta.onSnapshot(snapshot('v1', V1));
    const [response] = delta.onRequest(request('listener')).responses;
    const result = nack(delta, response, 'bad filter');
    expect(result.outcomes).toEqual([{ kind: 'nack', type: 'listener', version: 'v1', message: 'bad filter' }]);
    expect(result.responses).toEqual([]);
    expect(delta.onRequest(request('listener', { response_nonce: response?.nonce })).outcomes).toEqual([]);
    expect(delta.onSnapshot(snapshot('v1', V1)).responses).toEqual([]);
    // A new snapshot may fix what was wrong (e.g. a missing secret): offer it again.
    expect(briefs(delta.onSnapshot(snapshot('v2', V1)))).toEqual(['listener v2: +port-80@l1']);
  });

  it('after a NACK the client keeps what it had: only the rejected change is withheld', () => {
    const delta = session();
    delta.onSnapshot(snapshot('v1', V1));
    ack(delta, delta.onRequest(request('listener')).responses[0]);
    const bad = delta.onSnapshot(snapshot('v2', { ...V1, listener: { 'port-80': 'bad' } })).responses;
    nack(delta, bad[0], 'rejected');
    expect(briefs(delta.onSnapshot(snapshot('v3', { ...V1, listener: { 'port-80': 'l1' } })))).toEqual([]);
    expect(briefs(delta.onSnapshot(snapshot('v4', { ...V1, listener: { 'port-80': 'l3' } })))).toEqual(['listener v4: +port-80@l3']);
  });

  it('a stale nonce is not an answer, but its subscription changes count', () => {
    const delta = session();
    delta.onSnapshot(snapshot('v1', V1));
    const first = delta.onRequest(request('endpoint', { resource_names_subscribe: ['ns/a/80'] })).responses;
    ack(delta, first[0]);
    const second = delta.onRequest(request('endpoint', { resource_names_subscribe: ['ns/b/80'] })).responses;
    expect(briefs({ responses: second })).toEqual(['endpoint v1: +ns/b/80@e1']);
    const stale = delta.onRequest(request('endpoint', { response_nonce: first[0]?.nonce, resource_names_subscribe: ['ns/c/80'] }));
    expect(stale.outcomes).toEqual([]);
    expect(stale.responses).toEqual([]); // ns/c/80's answer waits for the ACK of the latest response
    const latest = ack(delta, second[0]);
    expect(latest.outcomes).toEqual([{ kind: 'ack', type: 'endpoint', version: 'v1' }]);
    expect(briefs(latest)).toEqual(['endpoint v1: -ns/c/80']);
  });

  it('an unknown type_url is a protocol error', () => {
    const delta = session();
    delta.onSnapshot(snapshot('v1', V1));
    for (const type_url of ['type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig', '', undefined]) {
      const result = delta.onRequest({ type_url });
      expect(result.responses).toEqual([]);
      expect(result.outcomes).toEqual([{ kind: 'protocol-error', message: `unsupported type_url ${JSON.stringify(type_url ?? '')}` }]);
    }
  });
});

describe('DeltaSession ordering (make before break)', () => {
  it('an Engine starting up gets clusters, then endpoints, then listeners, then routes', () => {
    const delta = session();
    delta.onSnapshot(snapshot('v1', V1));
    const cds = delta.onRequest(request('cluster')).responses;
    expect(briefs({ responses: cds })).toEqual(['cluster v1: +ns/a/80@c1 +ns/b/80@c1']);
    expect(delta.onRequest(request('listener')).responses).toEqual([]);
    // Envoy subscribes to the new clusters' endpoints before it ACKs CDS (it ACKs once they
    // warmed, which needs the endpoints): they go out at once, the listeners wait.
    const eds = delta.onRequest(request('endpoint', { resource_names_subscribe: ['ns/a/80', 'ns/b/80'] })).responses;
    expect(briefs({ responses: eds })).toEqual(['endpoint v1: +ns/a/80@e1 +ns/b/80@e1']);
    expect(delta.flowState()).toEqual({
      waitingForAck: [
        { type: 'cluster', nonce: 'n1', version: 'v1' },
        { type: 'endpoint', nonce: 'n2', version: 'v1' },
      ],
      held: ['listener'],
    });
    expect(ack(delta, cds[0]).responses).toEqual([]);
    const lds = ack(delta, eds[0]).responses;
    expect(briefs({ responses: lds })).toEqual(['listener v1: +port-80@l1']);
    expect(delta.onRequest(request('route', { resource_names_subscribe: ['port-80'] })).responses).toEqual([]);
    expect(briefs(ack(delta, lds[0]))).toEqual(['route v1: +port-80@r1']);
  });

  it('a route moving to a new cluster: cluster first, route after its ACK, old cluster removed after the route ACK', () => {
    const delta = startedEngine();
    const next: Spec = {
      cluster: { 'ns/a/80': 'c1', 'ns/c/80': 'c1' },
      endpoint: { 'ns/a/80': 'e1', 'ns/c/80': 'e1' },
      listener: { 'port-80': 'l1' },
      route: { 'port-80': 'r2' },
    };
    const cds = delta.onSnapshot(snapshot('v2', next)).responses;
    expect(briefs({ responses: cds })).toEqual(['cluster v2: +ns/c/80@c1']);
    const eds = delta.onRequest(request('endpoint', { resource_names_subscribe: ['ns/c/80'] })).responses;
    expect(briefs({ responses: eds })).toEqual(['endpoint v2: +ns/c/80@e1']);
    expect(ack(delta, cds[0]).responses).toEqual([]); // the route waits for the endpoints' ACK too
    const rds = ack(delta, eds[0]).responses;
    expect(briefs({ responses: rds })).toEqual(['route v2: +port-80@r2']);
    expect(delta.flowState().held).toEqual(['cluster', 'endpoint']);
    // Only now may ns/b/80 go: the route that used it has been applied.
    const removals = ack(delta, rds[0]).responses;
    expect(briefs({ responses: removals })).toEqual(['cluster v2: -ns/b/80', 'endpoint v2: -ns/b/80']);
  });

  it('a NACKed route update still lets the removals go (the next snapshot has to fix the route)', () => {
    const delta = startedEngine();
    const rds = delta.onSnapshot(snapshot('v2', { ...V1, cluster: { 'ns/a/80': 'c1' }, route: { 'port-80': 'r2' } })).responses;
    expect(briefs({ responses: rds })).toEqual(['route v2: +port-80@r2']);
    expect(briefs(nack(delta, rds[0], 'bad route'))).toEqual(['cluster v2: -ns/b/80']);
  });

  it('secrets go before the listeners that use them', () => {
    const delta = startedEngine();
    const absent = delta.onRequest(request('secret', { resource_names_subscribe: ['ns/cert'] })).responses;
    expect(briefs({ responses: absent })).toEqual(['secret v1: -ns/cert']);
    ack(delta, absent[0]);
    const next = { ...V1, secret: { 'ns/cert': 's1' }, listener: { 'port-80': 'l1', 'port-443': 'l1' } };
    const sds = delta.onSnapshot(snapshot('v2', next)).responses;
    expect(briefs({ responses: sds })).toEqual(['secret v2: +ns/cert@s1']);
    expect(briefs(ack(delta, sds[0]))).toEqual(['listener v2: +port-443@l1']);
  });

  it('a snapshot arriving mid-change restarts the walk at the first type with work', () => {
    const delta = startedEngine();
    const rds = delta.onSnapshot(snapshot('v2', { ...V1, route: { 'port-80': 'r2' } })).responses;
    expect(briefs({ responses: rds })).toEqual(['route v2: +port-80@r2']);
    const cds = delta.onSnapshot(snapshot('v3', { ...V1, cluster: { 'ns/a/80': 'c2', 'ns/b/80': 'c1' }, route: { 'port-80': 'r3' } })).responses;
    expect(briefs({ responses: cds })).toEqual(['cluster v3: +ns/a/80@c2']);
    expect(ack(delta, rds[0]).responses).toEqual([]); // r3 waits for the cluster ACK
    expect(briefs(ack(delta, cds[0]))).toEqual(['route v3: +port-80@r3']);
  });
});

/** A session whose Engine has applied V1 completely. */
function startedEngine(): DeltaSession<string> {
  const delta = session();
  delta.onSnapshot(snapshot('v1', V1));
  const cds = delta.onRequest(request('cluster')).responses;
  delta.onRequest(request('listener'));
  const eds = delta.onRequest(request('endpoint', { resource_names_subscribe: ['ns/a/80', 'ns/b/80'] })).responses;
  expect(ack(delta, cds[0]).responses).toEqual([]);
  const lds = ack(delta, eds[0]).responses;
  delta.onRequest(request('route', { resource_names_subscribe: ['port-80'] }));
  const rds = ack(delta, lds[0]).responses;
  expect(ack(delta, rds[0]).responses).toEqual([]);
  expect(delta.flowState()).toEqual({ waitingForAck: [], held: [] });
  return delta;
}

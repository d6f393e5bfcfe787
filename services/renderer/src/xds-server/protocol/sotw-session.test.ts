import { XDS_TYPE_URLS, xdsTypeShortOf } from '@microgateway/contracts';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from './snapshot.js';
import { SotwSession } from './sotw-session.js';
import type { Snapshot, SotwRequest, SotwResponse, XdsType } from './types.js';

type Spec = Partial<Record<XdsType, Record<string, string>>>;

function snapshot(version: string, spec: Spec): Snapshot<string> {
  const entries = Object.entries(spec).flatMap(([type, resources]) =>
    Object.entries(resources).map(([name, resourceVersion]) => ({ type: type as XdsType, name, version: resourceVersion, body: `${name}@${resourceVersion}` })),
  );
  return buildSnapshot(version, entries);
}

function session(): SotwSession<string> {
  let counter = 0;
  return new SotwSession<string>({ nextNonce: () => `n${++counter}` });
}

function request(type: XdsType, names: string[] = [], fields: Omit<SotwRequest, 'type_url' | 'resource_names'> = {}): SotwRequest {
  return { type_url: XDS_TYPE_URLS[type], resource_names: names, ...fields };
}

/** A response as `<type> <version_info>: body …`. */
function brief(response: SotwResponse<string>): string {
  return [`${xdsTypeShortOf(response.type_url)} ${response.version_info}:`, ...response.resources].join(' ');
}

const briefs = (result: { responses: SotwResponse<string>[] }): string[] => result.responses.map(brief);

/** Envoy's answer to a response: the same names again, with the response's nonce. */
function answer(sotw: SotwSession<string>, response: SotwResponse<string> | undefined, names: string[] = [], message?: string) {
  if (!response) throw new Error('no response to answer');
  const error_detail = message === undefined ? undefined : { code: 3, message };
  return sotw.onRequest({ type_url: response.type_url, resource_names: names, response_nonce: response.nonce, version_info: response.version_info, error_detail });
}

const V1: Spec = {
  cluster: { 'ns/b/80': 'c1', 'ns/a/80': 'c1' },
  endpoint: { 'ns/a/80': 'e1', 'ns/b/80': 'e1' },
  listener: { 'port-80': 'l1' },
  route: { 'port-80': 'r1', 'port-443': 'r1' },
  secret: { 'ns/cert': 's1' },
};

describe('SotwSession state of the world', () => {
  it.each([
    { name: 'CDS sends every cluster', type: 'cluster', names: [], expected: ['cluster v1: ns/a/80@c1 ns/b/80@c1'] },
    { name: 'LDS sends every listener', type: 'listener', names: [], expected: ['listener v1: port-80@l1'] },
    { name: 'RDS sends only the requested names', type: 'route', names: ['port-443'], expected: ['route v1: port-443@r1'] },
    { name: 'EDS sends only requested names that exist', type: 'endpoint', names: ['ns/b/80', 'ns/z/80'], expected: ['endpoint v1: ns/b/80@e1'] },
    { name: 'SDS sends only the requested names', type: 'secret', names: ['ns/cert'], expected: ['secret v1: ns/cert@s1'] },
    { name: 'a request naming nothing that exists is still answered', type: 'route', names: ['port-1'], expected: ['route v1:'] },
  ] as { name: string; type: XdsType; names: string[]; expected: string[] }[])('$name', ({ type, names, expected }) => {
    const sotw = session();
    sotw.onSnapshot(snapshot('v1', V1));
    const result = sotw.onRequest(request(type, names));
    expect(briefs(result)).toEqual(expected);
    expect(result.outcomes).toEqual([]);
  });

  it('holds responses until the first snapshot', () => {
    const sotw = session();
    expect(sotw.onRequest(request('cluster')).responses).toEqual([]);
    expect(briefs(sotw.onSnapshot(snapshot('v1', V1)))).toEqual(['cluster v1: ns/a/80@c1 ns/b/80@c1']);
  });

  it('answers again only when the requested names or their content change', () => {
    const sotw = session();
    sotw.onSnapshot(snapshot('v1', V1));
    const first = sotw.onRequest(request('route', ['port-80'])).responses;
    expect(answer(sotw, first[0], ['port-80']).responses).toEqual([]);
    expect(sotw.onSnapshot(snapshot('v2', { ...V1, cluster: { 'ns/a/80': 'c2', 'ns/b/80': 'c1' } })).responses).toEqual([]);
    const renamed = answer(sotw, first[0], ['port-80', 'port-443']).responses;
    expect(briefs({ responses: renamed })).toEqual(['route v2: port-443@r1 port-80@r1']);
    answer(sotw, renamed[0], ['port-80', 'port-443']);
    expect(briefs(sotw.onSnapshot(snapshot('v3', { ...V1, route: { 'port-80': 'r3', 'port-443': 'r1' } })))).toEqual(['route v3: port-443@r1 port-80@r3']);
  });

  it('version_info is per type: the snapshot version of the type\'s last response', () => {
    const sotw = session();
    sotw.onSnapshot(snapshot('v1', V1));
    answer(sotw, sotw.onRequest(request('cluster')).responses[0]);
    const lds = sotw.onRequest(request('listener')).responses;
    answer(sotw, lds[0]);
    const changed = sotw.onSnapshot(snapshot('v2', { ...V1, listener: { 'port-80': 'l2' } })).responses;
    expect(briefs({ responses: changed })).toEqual(['listener v2: port-80@l2']);
    expect(sotw.flowState().waitingForAck).toEqual([{ type: 'listener', nonce: 'n3', version: 'v2' }]);
  });

  it('is deterministic', () => {
    const run = () => {
      const sotw = session();
      sotw.onRequest(request('cluster'));
      return sotw.onSnapshot(snapshot('v1', V1)).responses;
    };
    expect(run()).toEqual(run());
  });
});

describe('SotwSession ACK, NACK and nonces', () => {
  it('an ACK is one ack outcome', () => {
    const sotw = session();
    sotw.onSnapshot(snapshot('v1', V1));
    const [response] = sotw.onRequest(request('cluster')).responses;
    expect(answer(sotw, response).outcomes).toEqual([{ kind: 'ack', type: 'cluster', version: 'v1' }]);
    expect(answer(sotw, response).outcomes).toEqual([]); // the same nonce again answers nothing new
  });

  it('a NACK is one nack outcome and the rejected content is not resent until the snapshot changes', () => {
    const sotw = session();
    sotw.onSnapshot(snapshot('v1', V1));
    const [response] = sotw.onRequest(request('listener')).responses;
    const result = answer(sotw, response, [], 'invalid listener');
    expect(result.outcomes).toEqual([{ kind: 'nack', type: 'listener', version: 'v1', message: 'invalid listener' }]);
    expect(result.responses).toEqual([]);
    expect(sotw.onSnapshot(snapshot('v1', V1)).responses).toEqual([]);
    expect(briefs(sotw.onSnapshot(snapshot('v2', V1)))).toEqual(['listener v2: port-80@l1']);
  });

  it('a NACKed cluster update and its removal step are each rejected once, not resent in turn', () => {
    const sotw = session();
    sotw.onSnapshot(snapshot('v1', V1));
    answer(sotw, sotw.onRequest(request('cluster')).responses[0]);
    const update = sotw.onSnapshot(snapshot('v2', { ...V1, cluster: { 'ns/a/80': 'c1', 'ns/c/80': 'bad' } })).responses;
    expect(briefs({ responses: update })).toEqual(['cluster v2: ns/a/80@c1 ns/b/80@c1 ns/c/80@bad']);
    const removal = answer(sotw, update[0], [], 'bad cluster').responses;
    expect(briefs({ responses: removal })).toEqual(['cluster v2: ns/a/80@c1 ns/c/80@bad']);
    const after = answer(sotw, removal[0], [], 'bad cluster');
    expect(after.outcomes).toEqual([{ kind: 'nack', type: 'cluster', version: 'v2', message: 'bad cluster' }]);
    expect(after.responses).toEqual([]);
  });

  it('a request with a stale nonce is ignored', () => {
    const sotw = session();
    sotw.onSnapshot(snapshot('v1', V1));
    const first = sotw.onRequest(request('route', ['port-80'])).responses;
    answer(sotw, first[0], ['port-80']);
    const second = sotw.onSnapshot(snapshot('v2', { ...V1, route: { 'port-80': 'r2', 'port-443': 'r1' } })).responses;
    const stale = answer(sotw, first[0], ['port-443']);
    expect(stale).toEqual({ responses: [], outcomes: [] });
    expect(answer(sotw, second[0], ['port-80']).outcomes).toEqual([{ kind: 'ack', type: 'route', version: 'v2' }]);
  });

  it('an unknown type_url is a protocol error', () => {
    const result = session().onRequest({ type_url: 'type.googleapis.com/envoy.service.runtime.v3.Runtime' });
    expect(result.outcomes).toEqual([{ kind: 'protocol-error', message: 'unsupported type_url "type.googleapis.com/envoy.service.runtime.v3.Runtime"' }]);
  });
});

describe('SotwSession ordering (make before break)', () => {
  it('a route moving to a new cluster: CDS keeps the old cluster until the route update is answered', () => {
    const sotw = session();
    sotw.onSnapshot(snapshot('v1', V1));
    answer(sotw, sotw.onRequest(request('cluster')).responses[0]);
    const rds = sotw.onRequest(request('route', ['port-80'])).responses;
    answer(sotw, rds[0], ['port-80']);
    const next = { ...V1, cluster: { 'ns/a/80': 'c1', 'ns/c/80': 'c1' }, route: { 'port-80': 'r2', 'port-443': 'r1' } };
    const cds = sotw.onSnapshot(snapshot('v2', next)).responses;
    expect(briefs({ responses: cds })).toEqual(['cluster v2: ns/a/80@c1 ns/b/80@c1 ns/c/80@c1']);
    const routes = answer(sotw, cds[0]).responses;
    expect(briefs({ responses: routes })).toEqual(['route v2: port-80@r2']);
    expect(briefs(answer(sotw, routes[0], ['port-80']))).toEqual(['cluster v2: ns/a/80@c1 ns/c/80@c1']);
  });

  it('LDS waits for the ACK of CDS', () => {
    const sotw = session();
    sotw.onSnapshot(snapshot('v1', V1));
    const cds = sotw.onRequest(request('cluster')).responses;
    expect(sotw.onRequest(request('listener')).responses).toEqual([]);
    expect(sotw.flowState().held).toEqual(['listener']);
    expect(briefs(answer(sotw, cds[0]))).toEqual(['listener v1: port-80@l1']);
  });
});

import { describe, expect, it } from 'vitest';
import type { WatchedKind } from './kinds.js';
import { BUILTIN_KINDS } from './kinds.js';
import type { CachedObject } from './objects.js';
import { ingestObject } from './objects.js';
import type { MirrorEntry } from './plan.js';
import { planMirror } from './plan.js';

const routeKind = BUILTIN_KINDS.find((k) => k.kind === 'HTTPRoute') as WatchedKind;

function route(name: string, resourceVersion: string, hostnames: string[], extra: Record<string, unknown> = {}): CachedObject {
  const object = ingestObject(
    routeKind,
    { metadata: { name, namespace: 'apps', resourceVersion, managedFields: [{ manager: 'kubectl' }] }, spec: { hostnames }, status: { parents: [] }, ...extra },
    0,
  );
  if (!object) throw new Error('not an object');
  return object;
}

function mirrored(object: CachedObject, revision: number): MirrorEntry {
  return { key: object.key, bucket: 'resources', revision, object: object.object, digest: object.digest };
}

const index = (...objects: CachedObject[]): Map<string, CachedObject> => new Map(objects.map((o) => [o.key, o]));

describe('planMirror', () => {
  it('creates what is new, updates what changed with the changed fields, and skips what is equal', () => {
    const a1 = route('a', '1', ['a.example']);
    const b1 = route('b', '1', ['b.example']);
    const a2 = route('a', '2', ['a2.example']);
    const bSameContent = route('b', '7', ['b.example'], { status: { parents: [{ changed: true }] } });
    const c = route('c', '3', ['c.example']);
    const plan = planMirror({
      world: new Set([a2.key, bSameContent.key, c.key]),
      objects: index(a2, bSameContent, c),
      mirrored: new Map([[a1.key, mirrored(a1, 10)], [b1.key, mirrored(b1, 11)]]),
      rejected: new Map(),
    });
    expect(plan.ops.map((op) => [op.op, op.key, op.op === 'put' ? op.changedFields : undefined])).toEqual([
      ['put', 'HTTPRoute.apps.a', ['spec.hostnames']],
      ['put', 'HTTPRoute.apps.c', []],
    ]);
    expect(plan.unchanged).toEqual(new Set([b1.key]));
  });

  it('deletes what is gone from the API server and what left the world', () => {
    const a = route('a', '1', []);
    const b = route('b', '1', []);
    const plan = planMirror({
      world: new Set(),
      objects: index(b),
      mirrored: new Map([[a.key, mirrored(a, 1)], [b.key, mirrored(b, 2)]]),
      rejected: new Map(),
    });
    expect(plan.ops.map((op) => [op.op, op.key, op.op === 'delete' ? op.current?.resourceVersion : undefined])).toEqual([
      ['delete', a.key, undefined],
      ['delete', b.key, '1'],
    ]);
  });

  it('reports an invalid object once per version and keeps its last valid version in KV', () => {
    const valid = route('a', '1', ['a.example']);
    const invalid = route('a', '2', ['a.example'], { spec: { rules: [{ backendRefs: [{ name: 'x', port: 70000 }] }] } });
    const input = { world: new Set([invalid.key]), objects: index(invalid), mirrored: new Map([[valid.key, mirrored(valid, 5)]]) };
    const first = planMirror({ ...input, rejected: new Map() });
    expect(first.ops).toHaveLength(1);
    expect(first.ops[0]).toMatchObject({ op: 'reject', key: valid.key, problems: [{ field: 'spec.rules[0].backendRefs[0].port', reason: 'TooBig' }] });
    expect(planMirror({ ...input, rejected: new Map([[invalid.key, '2']]) }).ops).toEqual([]);
  });
});

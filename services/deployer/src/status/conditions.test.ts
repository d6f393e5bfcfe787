import type { Condition, ConditionFact } from '@microgateway/contracts';
import { describe, expect, it } from 'vitest';
import { kubeTime, mergeConditions } from './conditions.js';

const T0 = '2030-01-01T00:00:00Z';
const NOW = '2030-01-01T00:05:00Z';

const fact = (over: Partial<ConditionFact> = {}): ConditionFact => ({
  type: 'Programmed',
  status: 'True',
  reason: 'Programmed',
  message: 'ok',
  observedGeneration: 1,
  ...over,
});
const written = (over: Partial<Condition> = {}): Condition => ({ ...fact(), lastTransitionTime: T0, ...over });

describe('mergeConditions', () => {
  it.each([
    { name: 'new condition: stamped now', existing: [], desired: fact(), time: NOW },
    { name: 'unchanged: time kept', existing: [written()], desired: fact(), time: T0 },
    { name: 'reason and message change, status does not: time kept', existing: [written({ status: 'False', reason: 'Pending', message: 'a' })], desired: fact({ status: 'False', reason: 'Invalid', message: 'b' }), time: T0 },
    { name: 'newer generation, same status: time kept', existing: [written()], desired: fact({ observedGeneration: 2 }), time: T0 },
    { name: 'status flips False → True: stamped now', existing: [written({ status: 'False', reason: 'Pending' })], desired: fact(), time: NOW },
    { name: 'status flips True → Unknown: stamped now', existing: [written()], desired: fact({ status: 'Unknown', reason: 'Pending' }), time: NOW },
  ])('$name', ({ existing, desired, time }) => {
    expect(mergeConditions(existing, [desired], NOW)).toEqual([{ ...desired, lastTransitionTime: time }]);
  });

  it('keeps a condition written for a newer generation than the fact', () => {
    const newer = written({ status: 'False', reason: 'Invalid', observedGeneration: 3 });
    expect(mergeConditions([newer], [fact({ observedGeneration: 2 })], NOW)).toEqual([newer]);
  });

  it('drops our unprefixed conditions no fact reports and keeps foreign (domain-prefixed) ones after ours', () => {
    const foreign = written({ type: 'example.com/Audited' });
    const merged = mergeConditions([foreign, written({ type: 'ResolvedRefs' }), written({ type: 'Accepted' })], [fact({ type: 'Accepted' })], NOW);
    expect(merged.map((c) => c.type)).toEqual(['Accepted', 'example.com/Audited']);
  });

  it('writes the time as Kubernetes does: UTC, whole seconds', () => {
    expect(mergeConditions(undefined, [fact()], '2030-01-01T01:00:00.987+01:00')[0]?.lastTransitionTime).toBe(T0);
  });
});

describe('kubeTime', () => {
  it('rejects a string that is no time', () => {
    expect(() => kubeTime('yesterday')).toThrow(/RFC 3339/);
  });
});

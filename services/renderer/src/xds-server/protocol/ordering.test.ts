import { describe, expect, it } from 'vitest';
import type { Part, TypePart } from './ordering.js';
import { nextParts } from './ordering.js';
import type { XdsType } from './types.js';

function flow(pending: string[], awaiting: XdsType[] = []): Parameters<typeof nextParts>[0] {
  return {
    hasPending: ({ type, part }: TypePart) => pending.includes(`${type}:${part}`),
    isAwaitingAck: (type: XdsType) => awaiting.includes(type),
  };
}

const parts = (...list: string[]): TypePart[] =>
  list.map((entry) => {
    const [type, part] = entry.split(':') as [XdsType, Part];
    return { type, part };
  });

describe('nextParts', () => {
  it.each([
    { name: 'nothing to do', pending: [], awaiting: [], send: [], held: [] },
    { name: 'secrets go first', pending: ['secret:update', 'cluster:update'], awaiting: [], send: ['secret:update'], held: ['cluster'] },
    { name: 'clusters and endpoints together, clusters first', pending: ['cluster:update', 'endpoint:update', 'listener:all'], awaiting: [], send: ['cluster:update', 'endpoint:update'], held: ['listener'] },
    { name: "endpoints do not wait for the clusters' ACK (Envoy ACKs CDS once they warmed)", pending: ['endpoint:update'], awaiting: ['cluster'], send: ['endpoint:update'], held: [] },
    { name: 'an unanswered cluster response holds the listeners', pending: ['listener:all'], awaiting: ['cluster'], send: [], held: ['listener'] },
    { name: 'an unanswered route response holds the removals', pending: ['cluster:remove', 'endpoint:remove'], awaiting: ['route'], send: [], held: ['cluster', 'endpoint'] },
    { name: 'removals of all three types go together, last', pending: ['cluster:remove', 'endpoint:remove', 'secret:remove'], awaiting: [], send: ['cluster:remove', 'endpoint:remove', 'secret:remove'], held: [] },
    { name: 'an earlier type may be sent while a later one is unanswered', pending: ['endpoint:update'], awaiting: ['route'], send: ['endpoint:update'], held: [] },
    { name: 'a type waits for its own unanswered response', pending: ['route:all'], awaiting: ['route'], send: [], held: ['route'] },
  ])('$name', ({ pending, awaiting, send, held }) => {
    const schedule = nextParts(flow(pending, awaiting as XdsType[]));
    expect(schedule.send).toEqual(parts(...send));
    expect(schedule.held).toEqual(held);
  });
});

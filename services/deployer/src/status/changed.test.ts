import { describe, expect, it } from 'vitest';
import { statusChanged } from './changed.js';

const cond = (type: string, status = 'True') => ({ type, status, reason: type, message: '', observedGeneration: 1, lastTransitionTime: '2030-01-01T00:00:00Z' });
const parent = (name: string, controllerName = 'microgateway.dev/default') => ({ parentRef: { name }, controllerName, conditions: [cond('Accepted')] });

describe('statusChanged', () => {
  it.each([
    { name: 'reordered object keys', a: { conditions: [cond('Accepted')], addresses: [] }, b: { addresses: [], conditions: [{ ...cond('Accepted') }].map((c) => Object.fromEntries(Object.entries(c).reverse())) }, changed: false },
    { name: 'reordered conditions', a: { conditions: [cond('Accepted'), cond('Programmed')] }, b: { conditions: [cond('Programmed'), cond('Accepted')] }, changed: false },
    {
      name: 'reordered listeners',
      a: { listeners: [{ name: 'a', conditions: [] }, { name: 'b', conditions: [] }] },
      b: { listeners: [{ name: 'b', conditions: [] }, { name: 'a', conditions: [] }] },
      changed: false,
    },
    { name: 'reordered route parents', a: { parents: [parent('a'), parent('b')] }, b: { parents: [parent('b'), parent('a')] }, changed: false },
    { name: 'parentRef with API server defaults', a: { parents: [{ ...parent('a'), parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'a' } }] }, b: { parents: [parent('a')] }, changed: false },
    { name: 'absent vs empty list', a: { conditions: [cond('Accepted')] }, b: { conditions: [cond('Accepted')], addresses: [] }, changed: false },
    { name: 'no status vs empty status', a: undefined, b: {}, changed: false },
    { name: 'status flips', a: { conditions: [cond('Programmed', 'False')] }, b: { conditions: [cond('Programmed')] }, changed: true },
    { name: 'address order matters', a: { addresses: [{ value: '1' }, { value: '2' }] }, b: { addresses: [{ value: '2' }, { value: '1' }] }, changed: true },
    { name: 'a parent more', a: { parents: [parent('a')] }, b: { parents: [parent('a'), parent('a', 'example.com/x')] }, changed: true },
    { name: 'first status', a: undefined, b: { conditions: [cond('Accepted')] }, changed: true },
  ])('$name → $changed', ({ a, b, changed }) => {
    expect(statusChanged(a, b)).toBe(changed);
    expect(statusChanged(b, a)).toBe(changed);
  });
});

import { describe, expect, it } from 'vitest';
import { ConditionType, GatewayReason, ListenerReason, RouteReason, conditionSchema } from './conditions.js';

const condition = {
  type: ConditionType.Accepted,
  status: 'True',
  reason: GatewayReason.Accepted,
  message: '',
  observedGeneration: 3,
  lastTransitionTime: '2026-01-01T00:00:00Z',
};

describe('conditions', () => {
  it('parse a metav1.Condition', () => {
    expect(conditionSchema.parse(condition)).toEqual(condition);
  });

  it('reject statuses other than True/False/Unknown, empty reasons and non-RFC 3339 times', () => {
    expect(conditionSchema.safeParse({ ...condition, status: 'true' }).success).toBe(false);
    expect(conditionSchema.safeParse({ ...condition, reason: '' }).success).toBe(false);
    expect(conditionSchema.safeParse({ ...condition, lastTransitionTime: '2026-01-01' }).success).toBe(false);
    expect(conditionSchema.safeParse({ ...condition, observedGeneration: -1 }).success).toBe(false);
  });

  it('spell reasons as the Gateway API does (CamelCase, value equals name)', () => {
    for (const table of [ConditionType, GatewayReason, ListenerReason, RouteReason]) {
      for (const [name, value] of Object.entries(table)) {
        expect(value).toBe(name);
        expect(value).toMatch(/^[A-Z][A-Za-z]+$/);
      }
    }
  });
});

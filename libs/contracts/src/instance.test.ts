import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTANCE, controllerName, instanceNameSchema } from './instance.js';

describe('instance names', () => {
  it('accept DNS-1123 labels up to 32 characters', () => {
    for (const name of [DEFAULT_INSTANCE, 'a', 'team-a', '0', 'x'.repeat(32)]) expect(instanceNameSchema.safeParse(name).success, name).toBe(true);
  });

  it('reject names that would break subjects, buckets or stream names', () => {
    for (const name of ['', 'A', 'a.b', 'a_b', '-a', 'a-', 'a b', 'a*', 'x'.repeat(33)]) {
      expect(instanceNameSchema.safeParse(name).success, name).toBe(false);
    }
  });

  it('claim GatewayClasses by controllerName', () => {
    expect(controllerName('default')).toBe('microgateway.dev/default');
  });
});

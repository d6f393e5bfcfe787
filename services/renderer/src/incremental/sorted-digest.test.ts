import { describe, expect, it } from 'vitest';
import { digestOf } from '../publish/output.js';
import { SortedDigest } from './sorted-digest.js';

describe('SortedDigest', () => {
  it('gives digestOf of every line through inserts, updates and deletes, one by one and in bulk', () => {
    const kept = new SortedDigest();
    const truth = new Map<string, string>();
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    const expectSame = (extra: string[]): void => {
      const lines = [...truth].map(([key, digest]) => `${key} ${digest}`);
      expect(kept.digest(extra)).toBe(digestOf([...lines, ...extra]));
    };
    const set = (key: string, digest: string): void => {
      kept.set(key, digest);
      truth.set(key, digest);
    };
    for (let i = 0; i < 1000; i++) set(`HTTPRoute.default.r-${i}.gw`, `sha256:${i}`);
    expectSame(['Gateway.default.gw.gw 1', 'GatewayClass._.c.gw 2']);
    for (let round = 0; round < 200; round++) {
      const i = random(1200);
      const key = `HTTPRoute.default.r-${i}.gw`;
      if (random(3) === 0) {
        kept.delete(key);
        truth.delete(key);
      } else set(key, `sha256:${round}`);
      // Extra lines anywhere: before, inside and after the kept ones.
      expectSame(round % 2 === 0 ? ['A 1', `HTTPRoute.default.r-${random(1200)}x.gw 2`, 'Z 3'] : []);
    }
    for (let i = 0; i < 500; i++) set(`HTTPRoute.other.r-${i}.gw`, 'sha256:bulk');
    expectSame([]);
    kept.clear();
    truth.clear();
    expectSame([]);
  });
});

import { describe, expect, it } from 'vitest';
import { Readiness } from './readiness.js';

describe('Readiness', () => {
  it('is not ready without checks (still starting)', async () => {
    expect((await new Readiness().evaluate()).ready).toBe(false);
  });

  it('is ready only when every check passes, and reports each', async () => {
    const readiness = new Readiness();
    let natsUp = true;
    readiness.add('started', () => ({ ready: true }));
    readiness.add('nats', () => (natsUp ? { ready: true } : { ready: false, reason: 'disconnected' }));
    expect(await readiness.evaluate()).toEqual({ ready: true, draining: false, checks: { started: { ready: true }, nats: { ready: true } } });
    natsUp = false;
    expect(await readiness.evaluate()).toEqual({
      ready: false,
      draining: false,
      checks: { started: { ready: true }, nats: { ready: false, reason: 'disconnected' } },
    });
  });

  it('is not ready once draining, whatever the checks say', async () => {
    const readiness = new Readiness();
    readiness.add('ok', () => ({ ready: true }));
    readiness.markDraining();
    expect(await readiness.evaluate()).toMatchObject({ ready: false, draining: true });
  });

  it('turns a throwing or rejecting check into a reason', async () => {
    const readiness = new Readiness();
    readiness.add('throws', () => {
      throw new Error('boom');
    });
    readiness.add('rejects', () => Promise.reject(new Error('nope')));
    const report = await readiness.evaluate();
    expect(report.checks).toEqual({
      throws: { ready: false, reason: 'check failed: boom' },
      rejects: { ready: false, reason: 'check failed: nope' },
    });
  });

  it('refuses two checks with one name', () => {
    const readiness = new Readiness();
    readiness.add('nats', () => ({ ready: true }));
    expect(() => readiness.add('nats', () => ({ ready: true }))).toThrow('already registered');
  });
});

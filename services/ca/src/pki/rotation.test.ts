import { describe, expect, it } from 'vitest';
import { signEngineCertificate } from './certificates.js';
import { DAY_MS, HOUR_MS } from './clock.js';
import {
  CA_BUNDLE_KEY,
  CA_CERT_KEY,
  CA_KEY_KEY,
  NEXT_CA_CERT_KEY,
  PREVIOUS_CA_CERT_KEY,
  ROTATE_CA_ANNOTATION,
  ROTATION_HANDLED_ANNOTATION,
  ROTATION_PHASE_ANNOTATION,
  ROTATION_SINCE_ANNOTATION,
  decideRotation,
  joinPems,
  promoteRotation,
  retireRotation,
  rotationPhase,
  stageRotation,
  type CaSecretContent,
  type LeafFacts,
  type RotationPolicy,
} from './rotation.js';
import { T0, countingRandom, fixedClock, keyPair, testCa } from './testdata/fixtures.js';

// The CA (valid one year from T0) is rotated to the "foreign" test CA: the phase function decides
// from the CA Secret, the bundles and the leaves it is shown, with the clock pinned.

const oldCa = testCa('ca');
const newCa = testCa('foreign-ca');
const MIN_PHASE_MS = 5 * 60_000;

function leafBy(ca: typeof oldCa): string {
  return signEngineCertificate({
    ca, instance: 'default', gateway: { namespace: 'prod', name: 'edge' }, publicKeyPem: keyPair('engine').publicKeyPem,
    validity: { notBefore: T0, lifetimeMs: 4 * DAY_MS }, random: countingRandom(),
  });
}
const oldLeaf = leafBy(oldCa);
const newLeaf = leafBy(newCa);
const oldBundle = joinPems(oldCa.certificatePem);
const stagedBundle = joinPems(oldCa.certificatePem, newCa.certificatePem);
const promotedBundle = joinPems(newCa.certificatePem, oldCa.certificatePem);

const stable: CaSecretContent = {
  data: { [CA_CERT_KEY]: oldCa.certificatePem, [CA_KEY_KEY]: oldCa.privateKeyPem, [CA_BUNDLE_KEY]: oldCa.certificatePem },
  annotations: {},
};
const PHASE_START = new Date(T0.getTime() + DAY_MS);
const staged = stageRotation(stable, newCa, 'lifetime', PHASE_START);
const promoted = promoteRotation(staged, PHASE_START);
const retired = retireRotation(promoted, PHASE_START);

function policy(at: Date): RotationPolicy {
  return { rotateAtFraction: 2 / 3, minPhaseMs: MIN_PHASE_MS, clock: fixedClock(at) };
}
const afterDwell = new Date(PHASE_START.getTime() + MIN_PHASE_MS);
const facts = (bundles: string[], leaves: string[]): LeafFacts => ({ bundles, leaves });

describe('decideRotation', () => {
  const cases: Record<string, { content: CaSecretContent; facts: LeafFacts; at: Date; action: string; recheckAt?: Date }> = {
    'a young CA: wait until 2/3 of its lifetime': {
      content: stable, facts: facts([oldBundle], [oldLeaf]), at: PHASE_START, action: 'wait', recheckAt: new Date(T0.getTime() + (365 * DAY_MS * 2) / 3),
    },
    'a CA past 2/3 of its lifetime: stage': { content: stable, facts: facts([oldBundle], [oldLeaf]), at: new Date(T0.getTime() + 244 * DAY_MS), action: 'stage' },
    'an operator request: stage at once': {
      content: { ...stable, annotations: { [ROTATE_CA_ANNOTATION]: 'compromise-1' } }, facts: facts([oldBundle], [oldLeaf]), at: PHASE_START, action: 'stage',
    },
    'a request already handled: wait': {
      content: { ...stable, annotations: { [ROTATE_CA_ANNOTATION]: 'r1', [ROTATION_HANDLED_ANNOTATION]: 'r1' } }, facts: facts([oldBundle], [oldLeaf]), at: PHASE_START, action: 'wait',
    },
    'staged, within the least phase time: wait for it to pass': {
      content: staged, facts: facts([stagedBundle], [oldLeaf]), at: new Date(afterDwell.getTime() - 1), action: 'wait', recheckAt: afterDwell,
    },
    'staged, one bundle still old: never promote': { content: staged, facts: facts([stagedBundle, oldBundle], [oldLeaf, oldLeaf]), at: afterDwell, action: 'wait' },
    'staged, every bundle carries next: promote': { content: staged, facts: facts([stagedBundle, stagedBundle], [oldLeaf, oldLeaf]), at: afterDwell, action: 'promote' },
    'staged, a bundle carrying next in another order: promote': { content: staged, facts: facts([promotedBundle], [oldLeaf]), at: afterDwell, action: 'promote' },
    'promoted, one leaf still by the old CA: never retire': { content: promoted, facts: facts([promotedBundle, stagedBundle], [newLeaf, oldLeaf]), at: afterDwell, action: 'wait' },
    'promoted, an unparseable leaf: wait for its repair': { content: promoted, facts: facts([promotedBundle], ['garbage']), at: afterDwell, action: 'wait' },
    'promoted, every leaf by the new CA: retire': { content: promoted, facts: facts([promotedBundle, stagedBundle], [newLeaf, newLeaf]), at: afterDwell, action: 'retire' },
    'promoted, within the least phase time: wait': { content: promoted, facts: facts([promotedBundle], [newLeaf]), at: PHASE_START, action: 'wait' },
    'retired: stable again, nothing due': { content: retired, facts: facts([joinPems(newCa.certificatePem)], [newLeaf]), at: afterDwell, action: 'wait' },
  };

  it.each(Object.entries(cases))('%s', (_name, c) => {
    const decision = decideRotation(c.content, c.facts, policy(c.at));
    expect(decision.action).toBe(c.action);
    if (c.recheckAt) expect(decision).toMatchObject({ recheckAt: c.recheckAt });
  });

  it('names why it waits', () => {
    expect(decideRotation(staged, facts([stagedBundle, oldBundle, oldBundle], []), policy(afterDwell))).toMatchObject({ why: '2 of 3 bundles lack the next CA' });
    expect(decideRotation(promoted, facts([], [newLeaf, oldLeaf]), policy(afterDwell))).toMatchObject({ why: '1 of 2 certificates are not signed by the new CA yet' });
  });

  it('never promotes or retires early, whatever the clock says', () => {
    for (let hours = 0; hours < 48; hours += 6) {
      const at = new Date(PHASE_START.getTime() + hours * HOUR_MS);
      expect(decideRotation(staged, facts([oldBundle], [oldLeaf]), policy(at)).action).toBe('wait');
      expect(decideRotation(promoted, facts([promotedBundle], [oldLeaf]), policy(at)).action).toBe('wait');
    }
  });
});

describe('the CA Secret through a rotation', () => {
  it('staged: the old CA signs, the bundle is [old, next], the request is marked handled', () => {
    const step = stageRotation({ ...stable, annotations: { [ROTATE_CA_ANNOTATION]: 'r2', other: 'kept' } }, newCa, 'requested', PHASE_START);
    expect(step.data[CA_CERT_KEY]).toBe(oldCa.certificatePem);
    expect(step.data[CA_BUNDLE_KEY]).toBe(stagedBundle);
    expect(step.data[NEXT_CA_CERT_KEY]).toBe(newCa.certificatePem);
    expect(step.annotations).toEqual({
      [ROTATE_CA_ANNOTATION]: 'r2', other: 'kept', [ROTATION_HANDLED_ANNOTATION]: 'r2',
      [ROTATION_PHASE_ANNOTATION]: 'staged', [ROTATION_SINCE_ANNOTATION]: PHASE_START.toISOString(),
    });
  });

  it('promoted: the next CA signs with its key, the bundle is [new, old], the old key is gone', () => {
    expect(promoted.data).toEqual({
      [CA_CERT_KEY]: newCa.certificatePem, [CA_KEY_KEY]: newCa.privateKeyPem, [CA_BUNDLE_KEY]: promotedBundle, [PREVIOUS_CA_CERT_KEY]: oldCa.certificatePem,
    });
    expect(rotationPhase(promoted)).toBe('promoted');
  });

  it('retired: only the new CA is left', () => {
    expect(retired.data).toEqual({ [CA_CERT_KEY]: newCa.certificatePem, [CA_KEY_KEY]: newCa.privateKeyPem, [CA_BUNDLE_KEY]: newCa.certificatePem });
    expect(rotationPhase(retired)).toBe('retired');
  });
});

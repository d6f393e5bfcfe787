import { describe, expect, it } from 'vitest';
import { inputDelta, inputsDigest, snapshotOf } from './input-delta.js';
import type { RenderSource } from './output.js';

const gw: RenderSource = { kind: 'Gateway', namespace: 'prod', name: 'edge', resourceVersion: '1' };
const r1: RenderSource = { kind: 'HTTPRoute', namespace: 'prod', name: 'r1', resourceVersion: '5' };
const r2: RenderSource = { kind: 'HTTPRoute', namespace: 'prod', name: 'r2', resourceVersion: '6' };
const cls: RenderSource = { kind: 'GatewayClass', name: 'mgw', resourceVersion: '2' };

describe('the inputs of config.rendered', () => {
  it('lists every input when this replica announced nothing for the Gateway yet', () => {
    const sources = [cls, gw, r1];
    expect(inputDelta(undefined, 'v1', snapshotOf('v2', sources), sources)).toMatchObject({ inputCount: 3, inputs: sources });
    expect(inputDelta(undefined, 'v1', snapshotOf('v2', sources), sources).previousVersion).toBeUndefined();
  });

  it('lists only what changed since the version it replaces, and what left', () => {
    const before = [cls, gw, r1, r2];
    const r1b = { ...r1, resourceVersion: '9' };
    const r3: RenderSource = { kind: 'HTTPRoute', namespace: 'prod', name: 'r3', resourceVersion: '10' };
    const after = [cls, gw, r1b, r3];
    const delta = inputDelta(snapshotOf('v1', before), 'v1', snapshotOf('v2', after), after);
    expect(delta).toEqual({
      previousVersion: 'v1',
      inputCount: 4,
      inputsDigest: inputsDigest(snapshotOf('v2', after)),
      inputs: [r1b, r3],
      removedInputs: [{ kind: 'HTTPRoute', namespace: 'prod', name: 'r2' }],
    });
  });

  it('falls back to the whole list when another replica rendered the version being replaced', () => {
    const sources = [gw, r1];
    const delta = inputDelta(snapshotOf('v1', sources), 'v7', snapshotOf('v8', sources), sources);
    expect(delta.previousVersion).toBeUndefined();
    expect(delta.inputs).toEqual(sources);
  });

  it('digests the set, not the order', () => {
    expect(inputsDigest(snapshotOf('a', [gw, r1, cls]))).toBe(inputsDigest(snapshotOf('b', [cls, r1, gw])));
    expect(inputsDigest(snapshotOf('a', [gw, r1]))).not.toBe(inputsDigest(snapshotOf('a', [gw, { ...r1, resourceVersion: '7' }])));
  });
});

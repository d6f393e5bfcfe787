// What a config.rendered event says about the inputs: all of them the first time a replica
// renders a Gateway (or when it did not render the version being replaced), otherwise only what
// changed since that version, plus the count and a digest of the whole set.
import { createHash } from 'node:crypto';
import type { RenderSource } from './output.js';

export interface InputSnapshot {
  version: string;
  /** `<kind>/<namespace>/<name>` → resourceVersion ('' when unknown). */
  byRef: ReadonlyMap<string, string>;
}

export interface InputDelta {
  previousVersion?: string;
  inputCount: number;
  inputsDigest: string;
  inputs: RenderSource[];
  removedInputs?: { kind: string; namespace?: string; name: string }[];
}

const refKey = (source: { kind: string; namespace?: string; name: string }): string => `${source.kind}/${source.namespace ?? ''}/${source.name}`;

export function snapshotOf(version: string, sources: readonly RenderSource[]): InputSnapshot {
  return { version, byRef: new Map(sources.map((source) => [refKey(source), source.resourceVersion ?? ''])) };
}

/** sha256 over the sorted `<ref> <resourceVersion>` lines: equal input sets, equal digests. */
export function inputsDigest(snapshot: InputSnapshot): string {
  const lines = [...snapshot.byRef].map(([ref, resourceVersion]) => `${ref} ${resourceVersion}`).sort();
  return `sha256:${createHash('sha256').update(lines.join('\n')).digest('hex')}`;
}

/**
 * The delta from `base` (what this replica last announced for the Gateway) to `current`; the full
 * list when there is no base or the base is not the version being replaced (another replica
 * rendered in between), so a chain of events always adds up.
 */
export function inputDelta(base: InputSnapshot | undefined, replacedVersion: string | undefined, current: InputSnapshot, sources: readonly RenderSource[]): InputDelta {
  const whole = { inputCount: current.byRef.size, inputsDigest: inputsDigest(current) };
  if (base === undefined || replacedVersion === undefined || base.version !== replacedVersion) return { ...whole, inputs: [...sources] };
  const inputs = sources.filter((source) => base.byRef.get(refKey(source)) !== (source.resourceVersion ?? ''));
  const removedInputs = [...base.byRef.keys()].filter((ref) => !current.byRef.has(ref)).sort().map((ref) => {
    const [kind = '', namespace = '', ...name] = ref.split('/');
    return { kind, ...(namespace === '' ? {} : { namespace }), name: name.join('/') };
  });
  return { ...whole, previousVersion: replacedVersion, inputs, ...(removedInputs.length > 0 ? { removedInputs } : {}) };
}

import type { Snapshot, SnapshotResource, XdsType } from './types.js';

/** A snapshot from a flat list of resources (e.g. the keys of a Gateway in the `xds` bucket). */
export function buildSnapshot<B>(version: string, resources: Iterable<SnapshotResource<B> & { type: XdsType }>): Snapshot<B> {
  const byType = new Map<XdsType, Map<string, SnapshotResource<B>>>();
  for (const { type, name, version: resourceVersion, body } of resources) {
    let ofType = byType.get(type);
    if (!ofType) byType.set(type, (ofType = new Map()));
    ofType.set(name, { name, version: resourceVersion, body });
  }
  return { version, resources: byType };
}

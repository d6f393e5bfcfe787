export type * from './types.js';
export { DeltaSession } from './delta-session.js';
export { SotwSession } from './sotw-session.js';
export { buildSnapshot } from './snapshot.js';
export { STAGES, nextParts } from './ordering.js';
export type { Part, TypePart, Schedule, FlowView } from './ordering.js';

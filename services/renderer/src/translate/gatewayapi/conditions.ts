import type { ConditionFact } from '@microgateway/contracts';

/** Builds a condition fact; `observedGeneration` always comes from the object the condition is about. */
export function condition(type: string, ok: boolean, reason: string, message: string, generation: number): ConditionFact {
  return { type, status: ok ? 'True' : 'False', reason, message, observedGeneration: generation };
}

/** The generation a condition observes: the object's own, 0 when the object has none (not from an API server). */
export function generationOf(obj: { metadata: { generation?: number | undefined } }): number {
  return obj.metadata.generation ?? 0;
}

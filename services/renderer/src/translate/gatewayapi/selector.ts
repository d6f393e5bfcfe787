import type { LabelSelector } from '@microgateway/contracts';

/**
 * Kubernetes label selector semantics (metav1.LabelSelector): every matchLabels pair and every
 * matchExpressions requirement must hold. An empty selector matches everything. An unknown operator
 * matches nothing — failing closed, because a selector decides who may attach routes.
 */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every((req) => requirementHolds(req.operator, labels[req.key], req.values ?? []));
}

function requirementHolds(operator: string, value: string | undefined, values: readonly string[]): boolean {
  switch (operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    default:
      return false;
  }
}

/** Whether a selector is well formed (known operators, values where the operator needs them). */
export function selectorValid(selector: LabelSelector): boolean {
  return (selector.matchExpressions ?? []).every((req) => {
    if (req.operator === 'In' || req.operator === 'NotIn') return (req.values ?? []).length > 0;
    if (req.operator === 'Exists' || req.operator === 'DoesNotExist') return (req.values ?? []).length === 0;
    return false;
  });
}

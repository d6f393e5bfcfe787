import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { describeOperatorConfigIssues, instanceNameSchema, parseOperatorConfigMap } from '@microgateway/contracts';
import { applyAddPatch } from './apply-patch.js';
import type { AdmittedPod, SidecarGatewaySelector } from './inject.js';
import { decideInjection } from './inject.js';

/**
 * Golden tests: `testdata/<case>.in.yaml` holds the instance, the Pod under admission, its
 * namespace's labels, the namespace's SidecarGateways and the operator ConfigMap's data; its first
 * line says what the case proves. `<case>.out.yaml` is the decision and, when injected, the Pod as
 * the API server creates it. `MGW_UPDATE_GOLDEN=1` rewrites the outputs; review the diff.
 */

const dir = fileURLToPath(new URL('./testdata/', import.meta.url));
// eslint-disable-next-line no-restricted-syntax -- the golden-update switch is a test-runner flag, not service configuration
const update = process.env['MGW_UPDATE_GOLDEN'] === '1';
const IN = '.in.yaml';
const OUT = '.out.yaml';
const cases = readdirSync(dir).filter((f) => f.endsWith(IN)).map((f) => f.slice(0, -IN.length)).sort();

interface GoldenInput {
  instance?: string;
  pod: AdmittedPod;
  namespaceLabels?: Record<string, string>;
  sidecarGateways?: SidecarGatewaySelector[];
  operatorConfigMap: Record<string, string>;
}

function run(input: string): string {
  const doc = parse(input) as GoldenInput;
  const parsed = parseOperatorConfigMap(doc.operatorConfigMap);
  if (!parsed.ok) throw new Error(describeOperatorConfigIssues(parsed.issues));
  const decision = decideInjection({
    instance: instanceNameSchema.parse(doc.instance ?? 'default'),
    pod: doc.pod,
    namespaceLabels: doc.namespaceLabels ?? {},
    sidecarGateways: doc.sidecarGateways ?? [],
    templates: parsed.templates,
  });
  const out = decision.kind === 'inject'
    ? { decision: { kind: decision.kind, sidecarGateway: decision.sidecarGateway, protectedPorts: decision.protectedPorts }, pod: applyAddPatch(doc.pod, decision.patch) }
    : { decision };
  return stringify(out, { lineWidth: 0, aliasDuplicateObjects: false });
}

describe('sidecar injection golden files', () => {
  it('has cases and no orphaned outputs', () => {
    expect(cases.length).toBeGreaterThan(0);
    const orphans = readdirSync(dir).filter((f) => f.endsWith(OUT) && !cases.includes(f.slice(0, -OUT.length)));
    if (update) for (const f of orphans) rmSync(`${dir}${f}`);
    else expect(orphans).toEqual([]);
  });

  it.each(cases)('%s', (name) => {
    const input = readFileSync(`${dir}${name}${IN}`, 'utf8');
    expect(input, `${name}${IN} must start with a comment saying what the case proves`).toMatch(/^# Case: \S/);
    const actual = run(input);
    expect(run(input), 'deterministic').toBe(actual);
    if (update) writeFileSync(`${dir}${name}${OUT}`, actual);
    expect(actual).toBe(readFileSync(`${dir}${name}${OUT}`, 'utf8'));
  });
});

import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { gatewayStatusSchema, gatewayClassSchema, httpRouteSchema, statusFactSchema } from '@microgateway/contracts';
import { statusChanged } from './changed.js';
import type { GatewayClassStatusFact, GatewayStatusFact, HttpRouteStatusFact } from './facts.js';
import { gatewayStatus } from './gateway.js';
import type { GatewayStatusInput } from './gateway.js';
import { gatewayClassStatus } from './gatewayclass.js';
import { httpRouteStatus } from './httproute.js';

/**
 * Golden tests (as services/renderer/src/translate): every `testdata/<case>.in.yaml` holds one
 * merge input under the name of the function it feeds (`gatewayStatus`, `gatewayClassStatus` or
 * `httpRouteStatus`); `<case>.out.yaml` is the desired status and whether writing it changes the
 * existing one. `MGW_UPDATE_GOLDEN=1` rewrites the outputs and removes orphaned ones.
 */

const dir = fileURLToPath(new URL('./testdata/', import.meta.url));
// eslint-disable-next-line no-restricted-syntax -- the golden-update switch is a test-runner flag, not service configuration
const update = process.env['MGW_UPDATE_GOLDEN'] === '1';
const IN = '.in.yaml';
const OUT = '.out.yaml';
const LATER = '2031-01-01T00:00:00Z';

const cases = readdirSync(dir)
  .filter((f) => f.endsWith(IN))
  .map((f) => f.slice(0, -IN.length))
  .sort();

type Input = Record<string, unknown> & { now: string; existing?: unknown };
type Merge = (input: Input) => unknown;

function facts<K extends string>(raw: unknown, kind: K): Extract<ReturnType<typeof statusFactSchema.parse>, { kind: K }>[] {
  return ((raw ?? []) as unknown[]).map((f) => statusFactSchema.parse(f)).filter((f): f is Extract<typeof f, { kind: K }> => f.kind === kind);
}

const merges: Record<string, Merge> = {
  gatewayStatus: (input) =>
    gatewayStatus({
      ...(input as unknown as GatewayStatusInput),
      existing: input.existing === undefined ? undefined : gatewayStatusSchema.parse(input.existing),
      rendererFacts: facts(input['rendererFacts'], 'Gateway') satisfies GatewayStatusFact[],
    }),
  gatewayClassStatus: (input) =>
    gatewayClassStatus({
      generation: input['generation'] as number,
      existing: input.existing === undefined ? undefined : gatewayClassSchema.shape.status.parse(input.existing),
      facts: facts(input['facts'], 'GatewayClass') satisfies GatewayClassStatusFact[],
      now: input.now,
    }),
  httpRouteStatus: (input) =>
    httpRouteStatus({
      existing: input.existing === undefined ? undefined : httpRouteSchema.shape.status.parse(input.existing),
      facts: facts(input['facts'], 'HTTPRoute') satisfies HttpRouteStatusFact[],
      controllerName: input['controllerName'] as string,
      now: input.now,
    }),
};

function load(name: string): { merge: Merge; input: Input } {
  const doc = parse(readFileSync(`${dir}${name}${IN}`, 'utf8')) as Record<string, Input>;
  const [fn, ...rest] = Object.keys(doc);
  const merge = fn === undefined ? undefined : merges[fn];
  if (merge === undefined || rest.length > 0) throw new Error(`${name}${IN} must hold exactly one of ${Object.keys(merges).join(', ')}`);
  return { merge, input: doc[fn as string] as Input };
}

describe('status merge golden files', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it('has no orphaned outputs', () => {
    const orphans = readdirSync(dir).filter((f) => f.endsWith(OUT) && !cases.includes(f.slice(0, -OUT.length)));
    if (update) for (const f of orphans) rmSync(`${dir}${f}`);
    else expect(orphans).toEqual([]);
  });

  it.each(cases)('%s', (name) => {
    expect(readFileSync(`${dir}${name}${IN}`, 'utf8'), `${name}${IN} must start with a comment saying what it proves`).toMatch(/^# \S/);
    const { merge, input } = load(name);
    const status = merge(input);
    const actual = stringify({ status, changed: statusChanged(input.existing, status) }, { lineWidth: 0, aliasDuplicateObjects: false });
    const outFile = `${dir}${name}${OUT}`;
    if (update) writeFileSync(outFile, actual);
    expect(actual).toBe(readFileSync(outFile, 'utf8'));
  });

  it.each(cases)('%s: merging the same facts into the written status changes nothing, later too', (name) => {
    const { merge, input } = load(name);
    const written = merge(input);
    const again = merge({ ...input, existing: written, now: LATER });
    expect(again).toEqual(written);
    expect(statusChanged(written, again)).toBe(false);
  });
});

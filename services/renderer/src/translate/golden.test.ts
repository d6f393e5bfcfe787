import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { controllerName, DEFAULT_INSTANCE } from '@microgateway/contracts';
import { resourcesFromObjects } from './resources.js';
import { translateAll } from './translate.js';

/**
 * Golden tests (like Envoy Gateway's testdata): every `testdata/<case>.in.yaml` is a file of
 * Kubernetes objects whose first line names the Gateway API spec section the case proves; its
 * translation must equal `<case>.out.yaml`. `MGW_UPDATE_GOLDEN=1` rewrites the outputs and removes
 * orphaned ones; review the diff. test/src/renderer/golden-validate.itest.ts feeds every output to
 * `envoy --mode validate`.
 */

const dir = fileURLToPath(new URL('./testdata/', import.meta.url));
// eslint-disable-next-line no-restricted-syntax -- the golden-update switch is a test-runner flag, not service configuration
const update = process.env['MGW_UPDATE_GOLDEN'] === '1';
const IN = '.in.yaml';
const OUT = '.out.yaml';

const cases = readdirSync(dir)
  .filter((f) => f.endsWith(IN))
  .map((f) => f.slice(0, -IN.length))
  .sort();

/** Objects every case may use, prepended to each case. */
const base = readFileSync(`${dir}base/base.yaml`, 'utf8');

/** The translation of a case file (with the base objects) as the golden YAML text. */
function renderCase(input: string): string {
  const docs = parseAllDocuments(`${base}\n---\n${input}`).map((d) => d.toJS() as unknown);
  const { resources, rejected } = resourcesFromObjects(docs);
  const gateways = translateAll(resources, { controllerName: controllerName(DEFAULT_INSTANCE) }).map(({ ir: _ir, ...rest }) => rest);
  return stringify(rejected.length > 0 ? { rejected, gateways } : { gateways }, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** The Gateways of a case translated from its objects in file order, or in reverse order. */
function gatewaysOf(input: string, reversed: boolean): unknown {
  const docs = parseAllDocuments(`${base}\n---\n${input}`).map((d) => d.toJS() as unknown);
  const { resources } = resourcesFromObjects(reversed ? docs.reverse() : docs);
  return translateAll(resources, { controllerName: controllerName(DEFAULT_INSTANCE) });
}

describe('translation golden files', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it('has no orphaned outputs', () => {
    const orphans = readdirSync(dir).filter((f) => f.endsWith(OUT) && !cases.includes(f.slice(0, -OUT.length)));
    if (update) for (const f of orphans) rmSync(`${dir}${f}`);
    else expect(orphans).toEqual([]);
  });

  it.each(cases)('%s', (name) => {
    const input = readFileSync(`${dir}${name}${IN}`, 'utf8');
    expect(input, `${name}${IN} must start with a comment naming the Gateway API spec section it proves`).toMatch(/^# Spec: \S/);
    const actual = renderCase(input);
    expect(renderCase(input), 'translation is deterministic').toBe(actual);
    expect(gatewaysOf(input, true), 'output does not depend on the order of the input objects').toEqual(gatewaysOf(input, false));
    const outFile = `${dir}${name}${OUT}`;
    if (update) writeFileSync(outFile, actual);
    expect(actual).toBe(readFileSync(outFile, 'utf8'));
  });
});

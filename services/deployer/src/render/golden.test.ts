import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { gatewayInfraSchema, type GatewayInfra } from '@microgateway/contracts';
import { engineObjectList, renderEngine } from './engine.js';
import { renderSettingsSchema, type RenderSettings } from './settings.js';

/**
 * Golden tests: every `testdata/<case>.in.yaml` holds a GatewayInfra (`infra`) and the render
 * settings (`settings`); its first line says what the case proves. The rendered objects, as
 * multi-document YAML in apply order, must equal `<case>.out.yaml`. `MGW_UPDATE_GOLDEN=1` rewrites
 * the outputs and removes orphaned ones; review the diff. test/src/deployer/render.itest.ts feeds
 * every case to `envoy --mode validate` and to a real kube-apiserver (server-side dry run).
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

interface GoldenCase {
  infra: GatewayInfra;
  settings: RenderSettings;
}

function readCase(input: string): GoldenCase {
  const doc = parse(input) as { infra?: unknown; settings?: unknown };
  return { infra: gatewayInfraSchema.parse(doc.infra), settings: renderSettingsSchema.parse(doc.settings) };
}

function renderCase(input: string): string {
  const { infra, settings } = readCase(input);
  return engineObjectList(renderEngine(infra, settings))
    .map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n');
}

describe('render golden files', () => {
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
    expect(input, `${name}${IN} must start with a comment saying what the case proves`).toMatch(/^# Case: \S/);
    const actual = renderCase(input);
    expect(renderCase(input), 'rendering is deterministic').toBe(actual);
    const outFile = `${dir}${name}${OUT}`;
    if (update) writeFileSync(outFile, actual);
    expect(actual).toBe(readFileSync(outFile, 'utf8'));
  });
});

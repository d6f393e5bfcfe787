import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffGolden, writeGolden } from './bin/golden.js';
import { EVENT_TYPES, microgatewayEventSchema } from './events/catalog.js';
import { ENVELOPE_SCHEMA_FILE, EVENT_SCHEMA_SUFFIX, buildEventJsonSchemaFiles, eventSchemaFileName } from './json-schema.js';

const dir = fileURLToPath(new URL('../generated/events/', import.meta.url));
// eslint-disable-next-line no-restricted-syntax -- the golden-update switch is a test-runner flag, not service configuration
const update = process.env['MGW_UPDATE_GOLDEN'] === '1';

describe('generated JSON Schemas for auditors', () => {
  const files = buildEventJsonSchemaFiles();

  it('has one schema per event type plus the union', () => {
    expect([...files.keys()].sort()).toEqual([...EVENT_TYPES.map(eventSchemaFileName), ENVELOPE_SCHEMA_FILE].sort());
    const union = JSON.parse(files.get(ENVELOPE_SCHEMA_FILE) ?? '{}') as { oneOf?: unknown[]; anyOf?: unknown[] };
    expect((union.oneOf ?? union.anyOf)?.length).toBe(microgatewayEventSchema.options.length);
  });

  it('is committed and up to date', () => {
    if (update) writeGolden(dir, files, EVENT_SCHEMA_SUFFIX);
    const diff = diffGolden(dir, files, EVENT_SCHEMA_SUFFIX);
    const stale = [...diff.missing.map((f) => `missing ${f}`), ...diff.changed.map((f) => `changed ${f}`), ...diff.extra.map((f) => `extra ${f}`)];
    expect(
      stale,
      `libs/contracts/generated/events is stale (${stale.join(', ')}). Regenerate with ` +
        '`MGW_UPDATE_GOLDEN=1 npx vitest run --project unit` or `npm run build && npm run generate` in libs/contracts.',
    ).toEqual([]);
  });
});

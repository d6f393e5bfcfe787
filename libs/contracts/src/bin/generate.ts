// Writes the auditor-facing JSON Schemas (generated/events/*.schema.json) from the zod contracts.
// generated.test.ts fails when the committed output is stale (MGW_UPDATE_GOLDEN=1 rewrites it).
import { fileURLToPath } from 'node:url';
import { EVENT_SCHEMA_SUFFIX, buildEventJsonSchemaFiles } from '../json-schema.js';
import { writeGolden } from './golden.js';

/** libs/contracts/generated/events, whether run from src/bin or dist/bin. */
const outDir = fileURLToPath(new URL('../../generated/events/', import.meta.url));

const files = buildEventJsonSchemaFiles();
writeGolden(outDir, files, EVENT_SCHEMA_SUFFIX);
console.log(`wrote ${files.size} JSON Schemas to ${outDir}`);

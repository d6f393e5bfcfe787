// Writes the artifacts generated from the zod contracts: the auditor-facing JSON Schemas
// (generated/events/*.schema.json) and the CustomResourceDefinitions (deploy/crds/*.yaml).
// generated.test.ts and generated-crds.test.ts fail when the committed output is stale
// (MGW_UPDATE_GOLDEN=1 rewrites it).
import { fileURLToPath } from 'node:url';
import { CRD_FILE_SUFFIX, buildCrdFiles } from '../crds/crd-manifest.js';
import { EVENT_SCHEMA_SUFFIX, buildEventJsonSchemaFiles } from '../json-schema.js';
import { writeGolden } from './golden.js';

/** libs/contracts/generated/events, whether run from src/bin or dist/bin. */
const eventsDir = fileURLToPath(new URL('../../generated/events/', import.meta.url));
/** The repository's deploy/crds, whether run from src/bin or dist/bin. */
const crdsDir = fileURLToPath(new URL('../../../../deploy/crds/', import.meta.url));

const eventSchemas = buildEventJsonSchemaFiles();
writeGolden(eventsDir, eventSchemas, EVENT_SCHEMA_SUFFIX);
console.log(`wrote ${eventSchemas.size} JSON Schemas to ${eventsDir}`);

const crds = buildCrdFiles();
writeGolden(crdsDir, crds, CRD_FILE_SUFFIX);
console.log(`wrote ${crds.size} CustomResourceDefinitions to ${crdsDir}`);

// Writes the artifacts generated from the zod contracts: the auditor-facing JSON Schemas
// (generated/events/*.schema.json), the CustomResourceDefinitions (deploy/crds/*.yaml) and the
// NATS users (deploy/**/nats/authorization.conf). generated.test.ts, generated-crds.test.ts and
// generated-nats.test.ts fail when the committed output is stale
// (MGW_UPDATE_GOLDEN=1 rewrites it).
import { fileURLToPath } from 'node:url';
import { CRD_FILE_SUFFIX, buildCrdDirectory } from '../crds/crd-manifest.js';
import { EVENT_SCHEMA_SUFFIX, buildEventJsonSchemaFiles } from '../json-schema.js';
import { NATS_AUTHORIZATION_FILE } from '../nats/authorization-conf.js';
import { writeGolden } from './golden.js';
import { natsAuthorizationFiles } from './nats-authorization.js';

/** libs/contracts/generated/events, whether run from src/bin or dist/bin. */
const eventsDir = fileURLToPath(new URL('../../generated/events/', import.meta.url));
/** The repository's deploy/crds, whether run from src/bin or dist/bin. */
const crdsDir = fileURLToPath(new URL('../../../../deploy/crds/', import.meta.url));

const eventSchemas = buildEventJsonSchemaFiles();
writeGolden(eventsDir, eventSchemas, EVENT_SCHEMA_SUFFIX);
console.log(`wrote ${eventSchemas.size} JSON Schemas to ${eventsDir}`);

const crds = buildCrdDirectory();
writeGolden(crdsDir, crds, CRD_FILE_SUFFIX);
console.log(`wrote ${crds.size} CustomResourceDefinitions to ${crdsDir}`);

for (const { dir, content } of natsAuthorizationFiles()) {
  writeGolden(dir, new Map([[NATS_AUTHORIZATION_FILE, content]]), NATS_AUTHORIZATION_FILE);
  console.log(`wrote ${NATS_AUTHORIZATION_FILE} to ${dir}`);
}

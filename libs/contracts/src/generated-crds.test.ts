import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { diffGolden, writeGolden } from './bin/golden.js';
import { CRD_FILE_SUFFIX, MICROGATEWAY_CRDS, buildCrdDirectory, buildCrdFiles, crdFileName } from './crds/crd-manifest.js';

const dir = fileURLToPath(new URL('../../../deploy/crds/', import.meta.url));
// eslint-disable-next-line no-restricted-syntax -- the golden-update switch is a test-runner flag, not service configuration
const update = process.env['MGW_UPDATE_GOLDEN'] === '1';

interface Crd {
  spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: unknown } } } }[] };
}

describe('generated CustomResourceDefinitions', () => {
  const files = buildCrdFiles();

  it('has one file per microgateway.dev kind', () => {
    expect([...files.keys()].sort()).toEqual(MICROGATEWAY_CRDS.map(crdFileName).sort());
  });

  it('is deterministic', () => {
    expect(buildCrdFiles()).toEqual(files);
  });

  it('keeps nothing a structural schema refuses', () => {
    for (const content of files.values()) {
      const spec = JSON.stringify((parse(content) as Crd).spec.versions[0]?.schema.openAPIV3Schema.properties.spec);
      for (const keyword of ['$schema', '$ref', '$defs', '"const"', '"propertyNames"', '"additionalProperties":false', '"oneOf"']) {
        expect(spec, `${keyword} in a generated CRD`).not.toContain(keyword);
      }
    }
  });

  it('reads the same as YAML 1.1 (kubectl) and YAML 1.2', () => {
    for (const content of files.values()) expect(parse(content, { version: '1.1' })).toEqual(parse(content));
  });

  it('is committed and up to date, with the kustomization listing every CRD', () => {
    const directory = buildCrdDirectory();
    if (update) writeGolden(dir, directory, CRD_FILE_SUFFIX);
    const diff = diffGolden(dir, directory, CRD_FILE_SUFFIX);
    const stale = [...diff.missing.map((f) => `missing ${f}`), ...diff.changed.map((f) => `changed ${f}`), ...diff.extra.map((f) => `extra ${f}`)];
    expect(
      stale,
      `deploy/crds is stale (${stale.join(', ')}). Regenerate with ` +
        '`MGW_UPDATE_GOLDEN=1 npx vitest run --project unit` or `npm run build && npm run generate` in libs/contracts.',
    ).toEqual([]);
  });
});

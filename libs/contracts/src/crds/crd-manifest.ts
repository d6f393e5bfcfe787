import { z } from 'zod';
import { stringify } from 'yaml';
import { API_GROUP } from '../instance.js';
import { GATEWAY_PARAMETERS_KIND, gatewayParametersSpecSchema } from './gateway-parameters.js';
import { toStructuralSchema } from './structural-schema.js';
import type { JsonSchema } from './structural-schema.js';

/**
 * The CustomResourceDefinitions of `microgateway.dev`, generated from the zod contracts so the
 * apiserver refuses what the renderer would refuse. Written to deploy/crds by `npm run generate`
 * in libs/contracts; generated-crds.test.ts fails when the committed files are stale.
 */

export const CRD_VERSION = 'v1alpha1';
export const CRD_FILE_SUFFIX = '.yaml';

export interface PrinterColumn {
  name: string;
  type: 'integer' | 'number' | 'string' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
}

export interface CrdDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  description: string;
  spec: { schema: z.ZodType; description: string; source: string };
  printerColumns: readonly PrinterColumn[];
}

const AGE_COLUMN: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export const MICROGATEWAY_CRDS: readonly CrdDefinition[] = [
  {
    kind: GATEWAY_PARAMETERS_KIND,
    plural: 'gatewayparameters',
    singular: 'gatewayparameters',
    shortNames: ['gwparams'],
    description:
      'GatewayParameters say how the Engine of a Gateway runs. A GatewayClass spec.parametersRef gives the defaults for every Gateway of ' +
      'the class; a Gateway spec.infrastructure.parametersRef overrides them for that Gateway, field by field.',
    spec: {
      schema: gatewayParametersSpecSchema,
      description: 'How the Engine runs; an unset field keeps the value from the GatewayClass parameters or the built-in default.',
      source: 'gatewayParametersSpecSchema in libs/contracts/src/crds/gateway-parameters.ts',
    },
    printerColumns: [
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', description: 'Engine Pods' },
      { name: 'Service', type: 'string', jsonPath: '.spec.service.type', description: 'Type of the Service in front of the Engine' },
      AGE_COLUMN,
    ],
  },
];

export function crdName(def: CrdDefinition): string {
  return `${def.plural}.${API_GROUP}`;
}

/** `<group>_<plural>.yaml`, as controller-gen names CRD files. */
export function crdFileName(def: CrdDefinition): string {
  return `${API_GROUP}_${def.plural}${CRD_FILE_SUFFIX}`;
}

/** The structural schema of a whole object of the kind: the usual header fields and the generated spec. */
export function crdObjectSchema(def: CrdDefinition): JsonSchema {
  const spec = toStructuralSchema(z.toJSONSchema(def.spec.schema, { target: 'draft-2020-12', io: 'input' }) as JsonSchema);
  return {
    description: def.description,
    type: 'object',
    properties: {
      apiVersion: { description: 'The versioned schema of this representation of an object.', type: 'string' },
      kind: { description: 'The REST resource this object represents.', type: 'string' },
      metadata: { type: 'object' },
      spec: { description: def.spec.description, ...spec },
    },
  };
}

export function crdManifest(def: CrdDefinition): JsonSchema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: crdName(def) },
    spec: {
      group: API_GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: [...def.shortNames],
        // `kubectl get microgateway` lists every kind of ours.
        categories: ['microgateway'],
      },
      scope: 'Namespaced',
      // No `subresources`: the contracts give these kinds no status.
      versions: [
        {
          name: CRD_VERSION,
          served: true,
          storage: true,
          additionalPrinterColumns: def.printerColumns.map((column) => ({ ...column })),
          schema: { openAPIV3Schema: crdObjectSchema(def) },
        },
      ],
    },
  };
}

/** File name → YAML (with a header naming its source and how to regenerate it), for every CRD. */
/** The kustomization that makes deploy/crds a kustomize resource directory (deploy/base uses it). */
export const CRD_KUSTOMIZATION_FILE = 'kustomization.yaml';

/** What deploy/crds holds: every CRD file plus the kustomization listing them (generated too, so never stale). */
export function buildCrdDirectory(): Map<string, string> {
  const files = buildCrdFiles();
  const kustomization = [
    '# Generated with the CRDs from libs/contracts (`npm run generate` there). Do not edit.',
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    ...[...files.keys()].sort().map((name) => `  - ${name}`),
    '',
  ].join('\n');
  return new Map([...files, [CRD_KUSTOMIZATION_FILE, kustomization]]);
}

export function buildCrdFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const def of MICROGATEWAY_CRDS) {
    const header = [
      `# Generated from ${def.spec.source}. Do not edit.`,
      '# Regenerate: `npm run build && npm run generate` in libs/contracts',
      '# (or `MGW_UPDATE_GOLDEN=1 npx vitest run --project unit` there).',
    ].join('\n');
    // YAML 1.1 quoting: kubectl reads YAML 1.1, where a bare `off` (a log level) is the boolean false.
    files.set(crdFileName(def), `${header}\n${stringify(crdManifest(def), { version: '1.1', lineWidth: 0 })}`);
  }
  return files;
}

import { z } from 'zod';

/**
 * The `data` of each event type. Events are read by external auditors, so every field is
 * documented here and surfaces in the generated JSON Schema; no event ever carries key material.
 */

/** `sha256:<64 lower-case hex>`, computed by callers over canonical JSON (see digestInput). */
export const digestSchema = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 lower-case hex digits>')
  .describe('sha256 over the canonical JSON of the content, as sha256:<hex>');

export const objectRefSchema = z.object({
  kind: z.string().min(1).describe('Kubernetes kind, e.g. HTTPRoute'),
  namespace: z.string().min(1).optional().describe('absent for cluster-scoped kinds'),
  name: z.string().min(1),
});
export type ObjectRef = z.infer<typeof objectRefSchema>;

export const gatewayRefSchema = z.object({ namespace: z.string().min(1), name: z.string().min(1) });

const generation = z.number().int().nonnegative();

export const resourceChangedDataSchema = objectRefSchema.extend({
  resourceVersion: z.string().min(1),
  generation: generation.optional(),
  digest: digestSchema,
  previousDigest: digestSchema.optional().describe('absent when the object is new'),
  changedFields: z
    .array(z.string().min(1))
    .describe('paths (e.g. spec.listeners, metadata.labels) that differ from the previous version; empty when new'),
});

export const resourceDeletedDataSchema = objectRefSchema.extend({
  resourceVersion: z.string().min(1).optional(),
  lastDigest: digestSchema.optional(),
});

export const problemSchema = z.object({
  field: z.string().min(1).describe('path of the offending field, e.g. spec.rules[0].filters[1].type'),
  reason: z.string().min(1).describe('machine-readable reason, e.g. UnsupportedValue'),
  message: z.string(),
});
export type Problem = z.infer<typeof problemSchema>;

export const resourceRejectedDataSchema = objectRefSchema.extend({
  generation: generation.optional(),
  problems: z.array(problemSchema).min(1),
});

export const renderInputSchema = objectRefSchema.extend({
  resourceVersion: z.string().min(1).optional(),
  digest: digestSchema.optional(),
});

/**
 * A Gateway's configuration was rendered. With thousands of routes the full list of inputs is
 * large (~0.8 MB at 10,000), so after the first event a renderer lists only what changed since the
 * version it replaces (`previousVersion`); `inputCount` and `inputsDigest` describe the whole set,
 * so an auditor who applies the changes can check the result.
 */
export const configRenderedDataSchema = z.object({
  gateway: gatewayRefSchema,
  version: z.string().min(1).describe('the xDS version_info of this configuration'),
  digest: digestSchema,
  previousVersion: z
    .string()
    .min(1)
    .optional()
    .describe('the version this configuration replaces; when present, inputs and removedInputs are the changes since it'),
  inputCount: z.number().int().min(0).describe('how many objects the configuration was rendered from'),
  inputsDigest: digestSchema.describe('sha256 over the sorted lines "<kind>/<namespace>/<name> <resourceVersion>" of every input'),
  inputs: z
    .array(renderInputSchema)
    .describe('without previousVersion: every object the configuration was rendered from; with it: the objects added or changed since'),
  removedInputs: z.array(objectRefSchema).optional().describe('with previousVersion: the objects no longer among the inputs'),
});

export const configAcceptedDataSchema = z.object({
  gateway: gatewayRefSchema,
  version: z.string().min(1),
  node: z.string().min(1).describe('the Envoy node id of the Engine'),
  typeUrl: z.string().min(1),
});

export const configRejectedDataSchema = configAcceptedDataSchema.extend({
  message: z.string().describe("the Engine's error_detail"),
});

export const infraAppliedDataSchema = z.object({
  gateway: gatewayRefSchema,
  digest: digestSchema,
  objects: z
    .array(z.object({ kind: z.string().min(1), name: z.string().min(1) }))
    .describe("objects applied in the Gateway's namespace"),
});

export const certificateDataSchema = z.object({
  gateway: gatewayRefSchema.optional().describe("the Engine's Gateway; absent for control-plane certificates"),
  secret: gatewayRefSchema.describe('the Secret holding the certificate (namespace and name)'),
  serial: z.string().regex(/^[0-9a-f]+$/, 'lower-case hex'),
  notBefore: z.iso.datetime({ offset: true }),
  notAfter: z.iso.datetime({ offset: true }),
  spiffeId: z.string().startsWith('spiffe://').optional(),
  dnsNames: z.array(z.string()).optional(),
});

export const certificateRepairedDataSchema = certificateDataSchema.extend({
  reason: z
    .string()
    .min(1)
    .describe('what was wrong with the Secret it replaced, e.g. ForeignIssuer, KeyMismatch, NotValidNow, SdsOutdated'),
});

export const certificateFailedDataSchema = z.object({
  gateway: gatewayRefSchema.optional().describe("the Engine's Gateway; absent for control-plane certificates"),
  secret: gatewayRefSchema.optional().describe('the Secret that was to hold the certificate'),
  reason: z.string().min(1).describe('the kind of failure, e.g. the error name'),
  message: z.string().describe('what went wrong, for an operator'),
  attempt: z.number().int().min(1),
  retryInSeconds: z.number().min(0).optional().describe('when the ca tries again; absent when it gives up'),
});

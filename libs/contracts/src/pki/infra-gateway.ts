import { z } from 'zod';

/**
 * The part of a Gateway's `infra` entry (KV `mgw-<i>-infra`, key `infraKey(gateway)`, full shape:
 * `gatewayInfraSchema`) that the ca reads: which Gateway it is, and its uid when the entry carries
 * one, for the bootstrap Secret's owner reference. The other fields are the renderer's contract
 * with the deployer and are let through untouched, so this stays valid as that contract grows.
 */
export const infraGatewayIdentitySchema = z.looseObject({
  gateway: z.looseObject({
    namespace: z.string().min(1),
    name: z.string().min(1),
    /** The Gateway's metadata.uid; without it the bootstrap Secret gets no owner reference (the ca still deletes it when the entry goes). */
    uid: z.string().min(1).optional(),
  }),
});
export type InfraGatewayIdentity = z.infer<typeof infraGatewayIdentitySchema>;

import { z } from 'zod';

/** A Kubernetes status condition (metav1.Condition). */
export const conditionSchema = z.looseObject({
  type: z.string().min(1).max(316),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().min(1).max(1024),
  message: z.string().max(32768),
  observedGeneration: z.number().int().nonnegative().optional(),
  lastTransitionTime: z.iso.datetime({ offset: true }),
});
export type Condition = z.infer<typeof conditionSchema>;

/** Gateway API condition types, by the object they are set on. */
export const ConditionType = {
  Accepted: 'Accepted',
  Programmed: 'Programmed',
  ResolvedRefs: 'ResolvedRefs',
  Conflicted: 'Conflicted',
  SupportedVersion: 'SupportedVersion',
  OverlappingTLSConfig: 'OverlappingTLSConfig',
  PartiallyInvalid: 'PartiallyInvalid',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** Reasons for GatewayClass conditions. */
export const GatewayClassReason = {
  Accepted: 'Accepted',
  InvalidParameters: 'InvalidParameters',
  Pending: 'Pending',
  Unsupported: 'Unsupported',
  SupportedVersion: 'SupportedVersion',
  UnsupportedVersion: 'UnsupportedVersion',
} as const;

/** Reasons for Gateway conditions. */
export const GatewayReason = {
  Accepted: 'Accepted',
  Programmed: 'Programmed',
  Invalid: 'Invalid',
  Pending: 'Pending',
  NoResources: 'NoResources',
  AddressNotAssigned: 'AddressNotAssigned',
  AddressNotUsable: 'AddressNotUsable',
  ListenersNotValid: 'ListenersNotValid',
  UnsupportedAddress: 'UnsupportedAddress',
  InvalidParameters: 'InvalidParameters',
} as const;

/** Reasons for the conditions of a Gateway's listeners. */
export const ListenerReason = {
  Accepted: 'Accepted',
  Programmed: 'Programmed',
  ResolvedRefs: 'ResolvedRefs',
  NoConflicts: 'NoConflicts',
  HostnameConflict: 'HostnameConflict',
  ProtocolConflict: 'ProtocolConflict',
  PortUnavailable: 'PortUnavailable',
  UnsupportedProtocol: 'UnsupportedProtocol',
  InvalidCertificateRef: 'InvalidCertificateRef',
  InvalidRouteKinds: 'InvalidRouteKinds',
  RefNotPermitted: 'RefNotPermitted',
  Invalid: 'Invalid',
  Pending: 'Pending',
  OverlappingHostnames: 'OverlappingHostnames',
  OverlappingCertificates: 'OverlappingCertificates',
} as const;

/** Reasons for the per-parent conditions of a Route. */
export const RouteReason = {
  Accepted: 'Accepted',
  ResolvedRefs: 'ResolvedRefs',
  NotAllowedByListeners: 'NotAllowedByListeners',
  NoMatchingListenerHostname: 'NoMatchingListenerHostname',
  NoMatchingParent: 'NoMatchingParent',
  UnsupportedValue: 'UnsupportedValue',
  IncompatibleFilters: 'IncompatibleFilters',
  Pending: 'Pending',
  RefNotPermitted: 'RefNotPermitted',
  InvalidKind: 'InvalidKind',
  BackendNotFound: 'BackendNotFound',
  UnsupportedProtocol: 'UnsupportedProtocol',
} as const;

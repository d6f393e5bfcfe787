import type { XdsTypeShort } from '@microgateway/contracts';

/** The xDS resource types Microgateway serves (the keys of `XDS_TYPE_URLS`). */
export type XdsType = XdsTypeShort;

/** One resource of a Gateway's config: `version` is a digest of its content, `body` is opaque (an encoded Any). */
export interface SnapshotResource<B> {
  name: string;
  version: string;
  body: B;
}

/** A Gateway's whole config at one version. A type missing from `resources` has no resources. */
export interface Snapshot<B> {
  version: string;
  resources: ReadonlyMap<XdsType, ReadonlyMap<string, SnapshotResource<B>>>;
}

/** Envoy's error_detail (a google.rpc.Status); only the message matters here. */
export interface ErrorDetail {
  code?: number;
  message?: string;
}

// Requests and responses are shaped as @grpc/proto-loader gives them with keepCase: true and
// defaults: false, so every request field may be absent.

/** The Envoy node a stream's first request names (config.core.v3.Node; only what the server reads). */
export interface RequestNode {
  id?: string;
  cluster?: string;
}

export interface DeltaRequest {
  node?: RequestNode | null;
  type_url?: string;
  resource_names_subscribe?: string[];
  resource_names_unsubscribe?: string[];
  initial_resource_versions?: Record<string, string>;
  response_nonce?: string;
  error_detail?: ErrorDetail | null;
}

export interface DeltaResponse<B> {
  type_url: string;
  system_version_info: string;
  nonce: string;
  resources: { name: string; version: string; resource: B }[];
  removed_resources: string[];
}

export interface SotwRequest {
  node?: RequestNode | null;
  version_info?: string;
  resource_names?: string[];
  type_url?: string;
  response_nonce?: string;
  error_detail?: ErrorDetail | null;
}

export interface SotwResponse<B> {
  version_info: string;
  resources: B[];
  type_url: string;
  nonce: string;
}

/**
 * What a request told us about the Engine: it applied (`ack`) or rejected (`nack`, with Envoy's
 * message) the response of `type` at snapshot `version`, or it broke the protocol (the adapter
 * closes the stream).
 */
export type Outcome =
  | { kind: 'ack'; type: XdsType; version: string }
  | { kind: 'nack'; type: XdsType; version: string; message: string }
  | { kind: 'protocol-error'; message: string };

export interface SessionOptions {
  /** A nonce no earlier response of this stream carried (e.g. a counter). */
  nextNonce: () => string;
}

/** What a session waits for, for logs and debugging: "waiting for ack of type X (nonce N)". */
export interface FlowState {
  waitingForAck: { type: XdsType; nonce: string; version: string }[];
  /** Types with changes to send that wait for an earlier type's ACK (DESIGN §5 ordering). */
  held: XdsType[];
}

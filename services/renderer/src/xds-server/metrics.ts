import type { ServiceMetrics } from '@microgateway/runtime';
import { METRIC_PREFIX } from '@microgateway/runtime';
import type { Counter, Gauge } from 'prom-client';
import { Histogram } from 'prom-client';

export interface XdsMetrics {
  /** Open xDS streams, by protocol (delta, sotw). */
  streams: Gauge<'protocol'>;
  /** Responses sent, by resource type. */
  pushes: Counter<'type'>;
  /** From the snapshot being assembled (its manifest read from KV) to the Engine's ACK. */
  pushLatency: Histogram;
  acks: Counter<'type'>;
  nacks: Counter<'type'>;
  /** Streams refused, by reason (no-identity, wrong-gateway, protocol). */
  refused: Counter<'reason'>;
  /** Manifests whose resources this replica could not encode (the Engines keep the last good config). */
  encodeFailures: Counter;
  outcomeFailures: Counter;
  gateways: Gauge;
}

export function createXdsMetrics(metrics: ServiceMetrics): XdsMetrics {
  return {
    streams: metrics.gauge('renderer_xds_streams', 'Open xDS streams (connected Engines), by protocol.', ['protocol']),
    pushes: metrics.counter('renderer_xds_pushes_total', 'xDS responses sent, by resource type.', ['type']),
    pushLatency: new Histogram({
      name: `${METRIC_PREFIX}renderer_xds_push_latency_seconds`,
      help: "From a Gateway's new config being read from KV to an Engine's ACK of it.",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [metrics.registry],
    }),
    acks: metrics.counter('renderer_xds_acks_total', 'ACKs received, by resource type.', ['type']),
    nacks: metrics.counter('renderer_xds_nacks_total', 'NACKs received (an Engine rejected a config), by resource type.', ['type']),
    refused: metrics.counter('renderer_xds_refused_streams_total', 'xDS streams refused, by reason.', ['reason']),
    encodeFailures: metrics.counter('renderer_xds_encode_failures_total', 'Gateway configs this replica could not encode to protobuf.'),
    outcomeFailures: metrics.counter('renderer_xds_outcome_failures_total', 'ACK/NACK facts or events that could not be written.'),
    gateways: metrics.gauge('renderer_xds_gateways', 'Gateways with a complete config in this replica.'),
  };
}

// A delta-xDS client for the xDS fan-out benchmark: subscribes to every resource type the way
// Envoy does (clusters and listeners by legacy wildcard, endpoints and routes by an explicit "*",
// since the server treats only CDS/LDS as legacy wildcard types), ACKs each response at once and
// tells the benchmark when a response of a given version arrived. Unlike the suite's
// DeltaXdsClient it keeps no history: a thousand of them run in one process for many samples.
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import { XDS_TYPE_URLS } from '@microgateway/contracts';
import { adsServiceDefinition } from '@microgateway/renderer/xds-server';

interface DeltaResponse {
  type_url: string;
  system_version_info: string;
  nonce: string;
}

export interface FanoutClientOptions {
  port: number;
  serverName: string;
  nodeId: string;
  /** PEM of the Gateway's bootstrap Secret (shared by every client of one Gateway, as by an Engine's replicas). */
  cert: string;
  key: string;
  ca: string;
}

type ResponseListener = (typeUrl: string, version: string, atMs: number) => void;

const SUBSCRIPTIONS: { type_url: string; resource_names_subscribe: string[] }[] = [
  { type_url: XDS_TYPE_URLS.cluster, resource_names_subscribe: [] },
  { type_url: XDS_TYPE_URLS.endpoint, resource_names_subscribe: ['*'] },
  { type_url: XDS_TYPE_URLS.listener, resource_names_subscribe: [] },
  { type_url: XDS_TYPE_URLS.route, resource_names_subscribe: ['*'] },
];

let clientConstructor: ReturnType<typeof makeGenericClientConstructor> | undefined;

export class FanoutXdsClient {
  private readonly stream: ClientDuplexStream<unknown, DeltaResponse>;
  private readonly close: () => void;
  private readonly listeners = new Set<ResponseListener>();
  /** The last version received per type URL. */
  readonly versions = new Map<string, string>();
  failure: Error | undefined;

  constructor(o: FanoutClientOptions) {
    clientConstructor ??= makeGenericClientConstructor(adsServiceDefinition(), 'AggregatedDiscoveryService');
    const creds = credentials.createSsl(Buffer.from(o.ca), Buffer.from(o.key), Buffer.from(o.cert));
    // A local subchannel pool: without it grpc-js puts every client with equal credentials on ONE
    // shared HTTP/2 connection, and the benchmark would measure streams, not connected Engines.
    const client = new clientConstructor(`127.0.0.1:${o.port}`, creds, {
      'grpc.ssl_target_name_override': o.serverName,
      'grpc.default_authority': o.serverName,
      'grpc.use_local_subchannel_pool': 1,
    });
    this.close = () => client.close();
    this.stream = (client as unknown as { DeltaAggregatedResources(): ClientDuplexStream<unknown, DeltaResponse> }).DeltaAggregatedResources();
    this.stream.on('error', (error: Error) => (this.failure = error));
    this.stream.on('data', (response: DeltaResponse) => {
      const atMs = performance.now();
      this.stream.write({ type_url: response.type_url, response_nonce: response.nonce });
      this.versions.set(response.type_url, response.system_version_info);
      for (const listener of this.listeners) listener(response.type_url, response.system_version_info, atMs);
    });
    SUBSCRIPTIONS.forEach((s, i) => this.stream.write({ ...s, ...(i === 0 ? { node: { id: o.nodeId } } : {}) }));
  }

  /** Resolves with the time (performance.now()) a response of `typeUrl` carrying `version` arrived. */
  arrivalOf(typeUrl: string, version: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const listener: ResponseListener = (type, got, atMs) => {
        if (type !== typeUrl || got !== version) return;
        done();
        resolve(atMs);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${typeUrl} response of version ${version} within ${timeoutMs} ms${this.failure ? ` (stream failed: ${this.failure.message})` : ''}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
    });
  }

  stop(): void {
    this.stream.cancel();
    this.close();
  }
}

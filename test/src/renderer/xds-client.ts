// A lightweight delta-xDS client (grpc-js with Envoy's protos): stands in for Envoys where a test
// or a benchmark needs many of them, or needs to see the raw protocol. It ACKs every response.
import type { ClientDuplexStream, ServiceError } from '@grpc/grpc-js';
import { credentials, makeGenericClientConstructor, status as GrpcStatus } from '@grpc/grpc-js';
import { adsServiceDefinition } from '@microgateway/renderer/xds-server';

export interface DeltaResponseMessage {
  type_url: string;
  system_version_info: string;
  nonce: string;
  resources: { name: string; version: string }[];
  removed_resources: string[];
}

export interface XdsClientOptions {
  port: number;
  /** PEM; without them the client offers no certificate. */
  cert?: string;
  key?: string;
  ca: string;
  serverName: string;
  nodeId: string;
  /** Type URLs to subscribe to (wildcard). */
  types: string[];
}

export class DeltaXdsClient {
  readonly responses: DeltaResponseMessage[] = [];
  /** The end of the stream: the status the server closed it with. */
  readonly closed: Promise<{ code: number; details: string }>;
  private readonly stream: ClientDuplexStream<unknown, DeltaResponseMessage>;
  private readonly waiters = new Set<() => void>();
  private readonly close: () => void;

  constructor(o: XdsClientOptions) {
    const Client = makeGenericClientConstructor(adsServiceDefinition(), 'AggregatedDiscoveryService');
    const creds = credentials.createSsl(Buffer.from(o.ca), o.key === undefined ? null : Buffer.from(o.key), o.cert === undefined ? null : Buffer.from(o.cert));
    const client = new Client(`127.0.0.1:${o.port}`, creds, { 'grpc.ssl_target_name_override': o.serverName, 'grpc.default_authority': o.serverName });
    this.close = () => client.close();
    const stub = client as unknown as { DeltaAggregatedResources(): ClientDuplexStream<unknown, DeltaResponseMessage> };
    this.stream = stub.DeltaAggregatedResources();
    this.closed = new Promise((resolve) => {
      this.stream.on('error', (error: ServiceError) => resolve({ code: error.code, details: error.details }));
      this.stream.on('end', () => resolve({ code: GrpcStatus.OK, details: '' }));
    });
    this.stream.on('data', (response: DeltaResponseMessage) => {
      this.responses.push(response);
      this.stream.write({ type_url: response.type_url, response_nonce: response.nonce });
      for (const wake of this.waiters) wake();
    });
    o.types.forEach((type, i) => this.stream.write({ type_url: type, ...(i === 0 ? { node: { id: o.nodeId } } : {}) }));
  }

  /** Resolves with the first response that satisfies `check`, or rejects after `timeoutMs`. */
  async waitFor(check: (r: DeltaResponseMessage) => boolean, timeoutMs: number): Promise<DeltaResponseMessage> {
    const found = (): DeltaResponseMessage | undefined => this.responses.find(check);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no matching xDS response within ${timeoutMs} ms (got ${this.responses.length})`));
      }, timeoutMs);
      const wake = (): void => {
        const hit = found();
        if (hit === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(hit);
      };
      this.waiters.add(wake);
      wake();
    });
  }

  stop(): void {
    this.stream.cancel();
    this.close();
  }
}

// A small JSON client for the API server on node:https, authenticated by the kubeconfig. The
// generated client-node API classes are not used for objects: they deserialize into typed models,
// which drops fields they do not know and turns timestamps into Dates, and the watcher must mirror
// objects exactly as the API server holds them.
import type { IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';

export class KubeHttpError extends Error {
  override name = 'KubeHttpError';
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: string,
  ) {
    super(`${method} ${path}: HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

export interface KubeHttp {
  /** Sends a JSON request; resolves with the parsed answer, rejects with KubeHttpError on non-2xx. */
  json<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, signal?: AbortSignal): Promise<T>;
  /**
   * A streaming GET (a watch): calls onLine for each line until the server ends it or signal
   * aborts; rejects when nothing arrives for idleTimeoutMs (a dead connection).
   */
  stream(path: string, onLine: (line: string) => void, signal: AbortSignal, idleTimeoutMs: number): Promise<void>;
}

/** No answer to a plain request within this long means the connection is dead. */
const REQUEST_TIMEOUT_MS = 30_000;

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (body += chunk));
    response.on('end', () => resolve(body));
    response.on('error', reject);
  });
}

export function createKubeHttp(kubeConfig: KubeConfig): KubeHttp {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');

  const open = async (method: string, path: string, signal: AbortSignal | undefined, timeoutMs: number): Promise<{ url: URL; options: RequestOptions }> => {
    const url = new URL(path, server);
    const options: RequestOptions = { method, headers: { accept: 'application/json' }, signal, timeout: timeoutMs };
    await kubeConfig.applyToHTTPSOptions(options);
    return { url, options };
  };

  const send = (url: URL, options: RequestOptions, body: string | undefined): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const request = (url.protocol === 'http:' ? httpRequest : httpsRequest)(url, options, resolve);
      request.on('timeout', () => request.destroy(new Error(`${options.method ?? 'GET'} ${url.pathname}: no answer within ${options.timeout} ms`)));
      request.on('error', reject);
      request.end(body);
    });

  return {
    async json<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
      const { url, options } = await open(method, path, signal, REQUEST_TIMEOUT_MS);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      if (payload !== undefined) options.headers = { ...options.headers, 'content-type': 'application/json' };
      const response = await send(url, options, payload);
      const text = await readBody(response);
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) throw new KubeHttpError(status, method, path, text);
      return JSON.parse(text) as T;
    },
    async stream(path: string, onLine: (line: string) => void, signal: AbortSignal, idleTimeoutMs: number): Promise<void> {
      const { url, options } = await open('GET', path, signal, idleTimeoutMs);
      const response = await send(url, options, undefined);
      const status = response.statusCode ?? 0;
      if (status !== 200) throw new KubeHttpError(status, 'GET', path, await readBody(response));
      const lines = createInterface({ input: response, crlfDelay: Infinity });
      await new Promise<void>((resolve, reject) => {
        lines.on('line', onLine);
        lines.on('close', resolve);
        // readline re-emits its input's errors (a reset watch connection) on the interface itself.
        lines.on('error', reject);
        response.on('error', reject);
        response.on('aborted', () => reject(new Error(`watch ${path} was cut off`)));
      });
    },
  };
}

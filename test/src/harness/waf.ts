// The Engine's WAF (engine/waf, Go) as a local process: built with `go build` into the user cache
// once per source version, then started beside an Envoy that reaches it over ext_proc.
//
//   <cache>/waf-<hash of go.mod, go.sum and the non-test *.go>/bin/mgw-waf
//   <cache>/waf-<hash>/.complete            written after a successful build
//
// The hash keys the directory, so an edit to engine/waf rebuilds and an unchanged tree never does.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { COMPLETE_MARKER, cacheRoot, repoRoot } from '../toolchain/paths.js';
import { startProcess, waitFor } from './process.js';

const execFileAsync = promisify(execFile);
const BUILD_TIMEOUT_MS = 15 * 60_000;
const READY_TIMEOUT_MS = 60_000;

/** engine/waf in this checkout. */
export function wafSourceDir(root: string = repoRoot()): string {
  return join(root, 'engine', 'waf');
}

/** The `go` to build with: $MGW_GO, else /usr/local/go/bin/go when present, else `go` on PATH. */
export function goBinary(): string {
  if (process.env.MGW_GO) return process.env.MGW_GO;
  return existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
}

/** Hash of what the binary is built from (tests excluded: they do not change it). */
export function wafSourceHash(dir: string = wafSourceDir()): string {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.go') && !entry.name.endsWith('_test.go')) files.push(path);
    }
  };
  walk(dir);
  files.push(join(dir, 'go.mod'), join(dir, 'go.sum'));
  const hash = createHash('sha256');
  for (const file of files.map((f) => relative(dir, f)).sort()) {
    hash.update(file).update('\0').update(readFileSync(join(dir, file))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The commands engine/waf builds: the ext_proc server and the benchmark's load generator. */
export type WafCommand = 'mgw-waf' | 'load';

/** A binary of engine/waf for the current sources; every command is built first when the cache has none. */
export async function buildWaf(opts: { command?: WafCommand; log?: (line: string) => void } = {}): Promise<string> {
  const source = wafSourceDir();
  const dir = join(cacheRoot(), `waf-${wafSourceHash(source)}`);
  const binary = join(dir, 'bin', opts.command ?? 'mgw-waf');
  if (existsSync(join(dir, COMPLETE_MARKER)) && existsSync(binary)) return binary;

  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  log(`building engine/waf (mgw-waf, load) into ${dir} (first time for these sources; a minute or two)…`);
  const started = Date.now();
  // Built beside the target and renamed in: a concurrent or interrupted build never leaves half a bin/.
  mkdirSync(dir, { recursive: true });
  const partial = join(dir, `bin.partial-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial);
  try {
    await execFileAsync(goBinary(), ['build', '-trimpath', '-o', `${partial}/`, './cmd/...'], {
      cwd: source,
      timeout: BUILD_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, CGO_ENABLED: '0' },
    });
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    const e = error as { stderr?: string; message?: string };
    throw new Error(`go build of engine/waf failed: ${e.stderr || e.message}`);
  }
  rmSync(join(dir, 'bin'), { recursive: true, force: true });
  renameSync(partial, join(dir, 'bin'));
  writeFileSync(join(dir, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
  log(`built engine/waf in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return binary;
}

export interface StartWafOptions {
  /** The policy file (engine/waf/internal/config); none: one Standard, blocking policy. */
  config?: object;
  /** Socket, config and log live here; a temporary directory (removed on stop) when absent. */
  workDir?: string;
  name?: string;
  /** RE2 for @rx (default true). */
  re2?: boolean;
  /** Stock CRS, Go regexp, no pre-filter, response phases: the benchmark's baseline (mgw-waf --vanilla). */
  vanilla?: boolean;
  /** Extra environment (GOGC, GOMEMLIMIT, …). */
  env?: NodeJS.ProcessEnv;
}

export interface WafHandle {
  pid: number;
  /** The ext_proc unix socket (Envoy: a cluster with a `pipe` address). */
  socketPath: string;
  /** http://host:port of /metrics. */
  metricsUrl: string;
  /** ms from spawn to the process's ready line. */
  startupMs: number;
  logs(): string;
  /** The process's log lines that are JSON, parsed. */
  logLines(): Record<string, unknown>[];
  /** VmRSS in MiB. */
  rssMiB(): number;
  /** CPU time (user + system) the process used so far, in ms (10 ms resolution). */
  cpuMs(): number;
  /** The value of one sample of /metrics (0 when absent); `labels` is a substring of its label set. */
  metric(name: string, labels?: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startWaf(opts: StartWafOptions = {}): Promise<WafHandle> {
  const binary = await buildWaf();
  const temporary = opts.workDir === undefined;
  const workDir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'mgw-waf-'));
  mkdirSync(workDir, { recursive: true });
  const name = opts.name ?? 'waf';
  const socketPath = join(workDir, `${name}.sock`);
  const args = ['--listen', `unix:${socketPath}`, '--metrics', '127.0.0.1:0', `--re2=${opts.re2 ?? true}`, `--vanilla=${opts.vanilla ?? false}`];
  if (opts.config) {
    const configFile = join(workDir, `${name}.json`);
    writeFileSync(configFile, JSON.stringify(opts.config, null, 2));
    args.push('--config', configFile);
  }
  const started = Date.now();
  const proc = startProcess({ name, command: binary, args, logFile: join(workDir, `${name}.log`), registryDir: workDir, env: opts.env });
  const lines = (): Record<string, unknown>[] =>
    proc
      .logs()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  try {
    const ready = await waitFor(() => lines().find((l) => l.msg === 'ready'), { timeoutMs: READY_TIMEOUT_MS, what: `${name} ready line`, process: proc });
    const startupMs = Date.now() - started;
    const detail = ready.detail as { metrics: string };
    const metricsUrl = `http://${detail.metrics}`;
    return {
      pid: proc.pid,
      socketPath,
      metricsUrl,
      startupMs,
      logs: () => proc.logs(),
      logLines: lines,
      rssMiB: () => rssMiB(proc.pid),
      cpuMs: () => cpuMs(proc.pid),
      metric: async (metricName, labels) => {
        const text = await (await fetch(`${metricsUrl}/metrics`)).text();
        return sampleValue(text, metricName, labels);
      },
      async stop() {
        await proc.stop();
        if (temporary) rmSync(workDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? NaN) / 1024;
}

function cpuMs(pid: number): number {
  // Fields after the command name (which may hold spaces): utime and stime are fields 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Sum of the samples of `name` whose label set contains `labels`. */
export function sampleValue(exposition: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith('{') || rest.startsWith(' '))) continue;
    const labelSet = rest.startsWith('{') ? rest.slice(0, rest.indexOf('}') + 1) : '';
    if (!labelSet.includes(labels)) continue;
    sum += Number(rest.slice(labelSet.length).trim().split(/\s+/)[0]);
  }
  return sum;
}

/**
 * What Envoy sends the WAF: request headers, and the request body buffered (up to the connection's
 * buffer limit, the rest is not inspected) when there is one; nothing of the response. Envoy holds
 * the headers until the body's answer, which lets mgw-waf answer the headers at once.
 */
const PROCESSING_MODE = {
  request_header_mode: 'SEND',
  response_header_mode: 'SKIP',
  request_body_mode: 'BUFFERED_PARTIAL',
  response_body_mode: 'NONE',
  request_trailer_mode: 'SKIP',
  response_trailer_mode: 'SKIP',
};

export interface WafRoute {
  /** Path prefix of the route. */
  prefix: string;
  /** Sent as `x-mgw-route` (the metric's and the log's route). */
  route: string;
  /** The policy name (`x-mgw-waf-policy`); undefined disables ext_proc on the route (Unfiltered). */
  policy?: string;
  /** Send this route to the `vanilla` WAF (with response headers too) instead of `waf`. */
  vanilla?: boolean;
}

/**
 * A static bootstrap: one listener whose HTTP connection manager runs ext_proc (request headers,
 * and the request body buffered up to the connection's buffer limit, nothing of the response)
 * against the WAF's unix socket, then routes each prefix to one upstream. Each route picks its
 * policy through ExtProcPerRoute.overrides.grpc_initial_metadata (engine/waf/internal/extproc).
 * `waf` undefined: no ext_proc filter at all (the baseline).
 */
export function wafEnvoyBootstrap(opts: {
  listenerPort: number;
  upstreamPort: number;
  waf?: { socketPath: string };
  /** A second WAF (the benchmark's vanilla baseline) for routes with `vanilla: true`. */
  vanilla?: { socketPath: string };
  routes: WafRoute[];
}): object {
  const routes = opts.routes.map((r) => ({
    match: { prefix: r.prefix },
    route: { cluster: 'upstream' },
    ...(opts.waf
      ? {
          typed_per_filter_config: {
            'envoy.filters.http.ext_proc': {
              '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExtProcPerRoute',
              ...(r.policy === undefined
                ? { disabled: true }
                : {
                    overrides: {
                      ...(r.vanilla
                        ? {
                            grpc_service: { envoy_grpc: { cluster_name: 'waf-vanilla' }, timeout: '5s' },
                            processing_mode: { ...PROCESSING_MODE, response_header_mode: 'SEND' },
                          }
                        : {}),
                      grpc_initial_metadata: [
                        { key: 'x-mgw-waf-policy', value: r.policy },
                        { key: 'x-mgw-route', value: r.route },
                      ],
                    },
                  }),
            },
          },
        }
      : {}),
  }));
  const extProc = opts.waf
    ? [
        {
          name: 'envoy.filters.http.ext_proc',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor',
            grpc_service: { envoy_grpc: { cluster_name: 'waf' }, timeout: '5s' },
            // Fail closed: a WAF that does not answer blocks traffic rather than waving it through.
            failure_mode_allow: false,
            message_timeout: '2s',
            processing_mode: PROCESSING_MODE,
          },
        },
      ]
    : [];
  const cluster = (name: string, address: object, http2: boolean): object => ({
    name,
    type: 'STATIC',
    connect_timeout: '2s',
    load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address } }] }] },
    ...(http2
      ? {
          typed_extension_protocol_options: {
            'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
              '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
              explicit_http_config: { http2_protocol_options: {} },
            },
          },
        }
      : {}),
  });
  return {
    node: { id: 'waf-test', cluster: 'waf-test' },
    static_resources: {
      listeners: [
        {
          name: 'http',
          address: { socket_address: { address: '127.0.0.1', port_value: opts.listenerPort } },
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                    stat_prefix: 'http',
                    route_config: { virtual_hosts: [{ name: 'all', domains: ['*'], routes }] },
                    http_filters: [
                      ...extProc,
                      { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [
        cluster('upstream', { socket_address: { address: '127.0.0.1', port_value: opts.upstreamPort } }, false),
        ...(opts.waf ? [cluster('waf', { pipe: { path: opts.waf.socketPath } }, true)] : []),
        ...(opts.vanilla ? [cluster('waf-vanilla', { pipe: { path: opts.vanilla.socketPath } }, true)] : []),
      ],
    },
  };
}

#!/usr/bin/env node
// The Network Manager's entry point (the sidecar Pod's initContainer): exit 0 only once inbound
// TCP is proven to reach the Engine's port; otherwise exit 1 with the reason in the last log line.
import { hostname } from 'node:os';
import { pino } from 'pino';
import { ConfigError, parseConfig } from './core/config.js';
import { NetworkManagerError, runNetworkManager } from './network-manager.js';

function createLogger(level: string): pino.Logger {
  return pino({
    level,
    base: { service: 'network-manager', pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

async function main(): Promise<number> {
  let log = createLogger('info');
  try {
    const config = parseConfig(process.env);
    log = createLogger(config.logLevel);
    log.info({ step: 'config', config }, 'configuration loaded');
    const result = await runNetworkManager(config, log);
    log.info({ step: 'done', variant: result.variant }, 'inbound TCP is redirected through the Engine');
    return 0;
  } catch (err) {
    const step = err instanceof NetworkManagerError ? err.step : err instanceof ConfigError ? 'config' : 'unexpected';
    log.error({ step, error: err instanceof Error ? err.message : String(err) }, `failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

process.exitCode = await main();

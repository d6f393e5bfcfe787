// The official Gateway API conformance suite (the pinned build, see toolchain/recipes/conformance.ts)
// against a whole local installation: cluster, NATS, the four services, real Engines. The suite
// reads the features to test from the GatewayClass's status.supportedFeatures, which the product
// publishes — so every feature we claim is tested here.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUPPORTED_FEATURES } from '@microgateway/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runConformance } from '../cli/conformance.js';

interface ProfileReport {
  name: string;
  core: { result: string; statistics: { Passed: number; Failed: number; Skipped: number } };
  extended?: { result: string; statistics: { Passed: number; Failed: number; Skipped: number }; supportedFeatures?: string[]; unsupportedFeatures?: string[] };
}

const CORE_FEATURES = new Set(['Gateway', 'HTTPRoute', 'ReferenceGrant']);

describe('Gateway API conformance', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-conformance-itest-'));
  const report = join(workDir, 'report.yaml');
  const log = join(workDir, 'suite.log');

  afterAll(() => {
    // `MGW_CONFORMANCE_REPORT_DIR=docs/conformance` keeps the report (the release step does).
    const keep = process.env['MGW_CONFORMANCE_REPORT_DIR'];
    if (keep && existsSync(report)) {
      mkdirSync(keep, { recursive: true });
      copyFileSync(report, join(keep, 'microgateway-dev.yaml'));
    }
    if (process.env['MGW_KEEP_TEST_DIRS'] === '1') console.log(`kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  });

  it('passes every GATEWAY-HTTP core test and every extended feature the GatewayClass claims', async () => {
    const started = Date.now();
    const code = await runConformance(['run', '--gateway-class', 'microgateway', '--report', report, '--allow-crds-mismatch', '--log', log]);
    console.log(`conformance suite: exit ${code} in ${((Date.now() - started) / 1000).toFixed(0)} s (log ${log})`);
    const failures = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => /^\s*--- FAIL/.test(l)) : [];
    expect(failures, failures.join('\n')).toEqual([]);
    expect(code).toBe(0);

    const parsed = parse(readFileSync(report, 'utf8')) as { profiles: ProfileReport[] };
    const http = parsed.profiles.find((p) => p.name === 'GATEWAY-HTTP');
    expect(http?.core.statistics).toMatchObject({ Failed: 0, Skipped: 0 });
    expect(http?.core.statistics.Passed).toBeGreaterThanOrEqual(36);
    const extended = SUPPORTED_FEATURES.filter((f) => !CORE_FEATURES.has(f));
    if (extended.length > 0) {
      expect(http?.extended?.statistics.Failed).toBe(0);
      expect(http?.extended?.supportedFeatures ?? []).toEqual(expect.arrayContaining(extended));
    }
  }, 45 * 60_000);
});

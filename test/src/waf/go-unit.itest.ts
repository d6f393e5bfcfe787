// engine/waf's own Go tests (policy parsing, the CRS family map, the engine against attack and
// benign samples) and `go vet`, so `npm test` covers the Go module as it covers the TypeScript.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { goBinary, wafSourceDir } from '../harness/waf.js';

const run = async (args: string[]): Promise<string> => {
  const { stdout, stderr } = await promisify(execFile)(goBinary(), args, { cwd: wafSourceDir(), env: { ...process.env, CGO_ENABLED: '0' }, maxBuffer: 16 * 1024 * 1024, timeout: 600_000 });
  return `${stdout}${stderr}`;
};

describe('engine/waf (Go)', () => {
  it('passes go vet', async () => {
    await expect(run(['vet', './...'])).resolves.toBeDefined();
  }, 600_000);

  it('passes its Go unit tests', async () => {
    const output = await run(['test', '-count=1', './...']);
    expect(output).not.toMatch(/^FAIL/m);
    expect(output).toMatch(/^ok\s+\S+\/internal\/engine/m);
  }, 600_000);
});

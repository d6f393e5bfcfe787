// `mgw translate` as a user runs it: the real CLI on a golden input of the renderer must print
// the same Envoy resources the golden file pins, and name what it cannot use.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../toolchain/paths.js';

const run = promisify(execFile);
const mgw = join(repoRoot(), 'test', 'bin', 'mgw.mjs');
const testdata = join(repoRoot(), 'services', 'renderer', 'src', 'translate', 'testdata');
const work = mkdtempSync(join(tmpdir(), 'mgw-translate-'));

/** A golden case as a user would write it: the shared base objects and the case, one file. */
function caseFile(name: string): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, `${readFileSync(join(testdata, 'base', 'base.yaml'), 'utf8')}\n---\n${readFileSync(join(testdata, `${name}.in.yaml`), 'utf8')}`);
  return file;
}

interface Output {
  gateways: { gateway: { namespace: string; name: string }; xds?: unknown }[];
  rejected: unknown[];
}

describe('mgw translate', () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('prints the Envoy resources the golden file pins', async () => {
    const { stdout } = await run(process.execPath, [mgw, 'translate', '-f', caseFile('allowedroutes-all'), '-o', 'json']);
    const printed = JSON.parse(stdout) as Output;
    const golden = parse(readFileSync(join(testdata, 'allowedroutes-all.out.yaml'), 'utf8')) as Output;
    expect(printed.rejected).toEqual([]);
    expect(printed.gateways.map((g) => g.xds)).toEqual(golden.gateways.map((g) => g.xds));
  });

  it('fails and says so for a Gateway that is not in the input', async () => {
    const failure = run(process.execPath, [mgw, 'translate', '-f', caseFile('allowedroutes-all'), '--gateway', 'default/absent']);
    await expect(failure).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('no Gateway default/absent') });
  });
});

// File I/O for generated artifacts, shared by the generator and the staleness test.
// Only src/bin may do I/O; purity.test.ts keeps the rest of src/ free of it.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What differs between the expected files and a directory: missing, changed and extra files. */
export interface GoldenDiff {
  missing: string[];
  changed: string[];
  extra: string[];
}

function listFiles(dir: string, suffix: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(suffix)).sort() : [];
}

/** Compares `expected` (file name → content) with the `*<suffix>` files in `dir`. */
export function diffGolden(dir: string, expected: ReadonlyMap<string, string>, suffix: string): GoldenDiff {
  const present = listFiles(dir, suffix);
  return {
    missing: [...expected.keys()].filter((name) => !present.includes(name)).sort(),
    changed: present.filter((name) => expected.has(name) && readFileSync(join(dir, name), 'utf8') !== expected.get(name)),
    extra: present.filter((name) => !expected.has(name)),
  };
}

/** Makes `dir` hold exactly `expected` among its `*<suffix>` files. */
export function writeGolden(dir: string, expected: ReadonlyMap<string, string>, suffix: string): void {
  mkdirSync(dir, { recursive: true });
  for (const name of listFiles(dir, suffix)) if (!expected.has(name)) rmSync(join(dir, name));
  for (const [name, content] of expected) writeFileSync(join(dir, name), content);
}

#!/usr/bin/env node
// The `mgw` command. It needs Node 24; on a machine whose `node` is older it re-runs itself with
// the Node that `npm test` / `npm run quickstart` provisioned into the per-user cache.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const major = Number(process.versions.node.split('.')[0]);

if (major < 24) {
  const pins = JSON.parse(readFileSync(join(here, '..', '..', 'scripts', 'toolchain.json'), 'utf8'));
  const cache = process.env.MGW_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'microgateway');
  const node = join(cache, `node-${pins.node}`, 'bin', 'node');
  if (!existsSync(node)) {
    console.error(`mgw needs Node 24; this is ${process.version}. Run \`npm run provision\` once to fetch Node ${pins.node}.`);
    process.exit(1);
  }
  const result = spawnSync(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

const main = join(here, '..', 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  console.error('mgw is not built yet: run `npm run provision` (or `npx tsc -b`) first.');
  process.exit(1);
}
await import(main);

// The node of a detached local cluster (`mgw dev up --detach`) as a process of its own:
// `node node-main.js <config.json>`. SIGTERM stops the Pods gracefully, then the process exits;
// its Pods die with it in any case (they run with a parent-death signal).
import { readFileSync } from 'node:fs';
import type { NodeConfig } from './node-process.js';
import { runNode } from './node-process.js';

const configPath = process.argv[2];
if (!configPath) {
  console.error('usage: node-main.js <node-config.json>');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8')) as NodeConfig;
const log = (line: string): void => console.log(`${new Date().toISOString()} ${line}`);
const node = await runNode(config, log);
log(`node ${config.nodeName} is up`);
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the Pods`);
    node.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`stop failed: ${String(error)}`);
        process.exit(1);
      },
    );
  });
}

import { resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ENGINE_INBOUND_PORT, ENGINE_READY_PORT, ENGINE_UID } from '@microgateway/contracts';
import { NetnsLab, type Outcome, type Pod } from './netns-lab.js';

// The built Network Manager, run as the initContainer would: as root with its own network
// namespace, against the real iptables-legacy / iptables-nft of this machine.
const MAIN = resolve(import.meta.dirname, '../../../engine/network-manager/dist/main.js');
const APP_PORT = 8080;
const EXCLUDED_PORT = 9090;

const lab = new NetnsLab();
afterEach(() => lab.stopProcesses());
afterAll(() => lab.cleanup());

interface LogLine {
  level: string;
  step: string;
  msg: string;
  error?: string;
  variant?: string;
  action?: string;
}

function logLines(outcome: Outcome): LogLine[] {
  return outcome.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

function networkManager(pod: Pod, env: Record<string, string>, wrap: string[] = []): Promise<Outcome> {
  const [file = process.execPath, ...args] = [...wrap, process.execPath, MAIN];
  return lab.exec(pod.netns, file, args, { ...process.env, ...env });
}

/** The nat table without comments and counters: two correct runs must leave exactly this. */
async function natRules(pod: Pod, variant: string): Promise<string> {
  const outcome = await lab.exec(pod.netns, `iptables-${variant}-save`, ['-t', 'nat']);
  expect(outcome.code).toBe(0);
  return outcome.stdout
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .map((line) => line.replace(/ \[\d+:\d+\]$/, ''))
    .join('\n');
}

describe.each(['legacy', 'nft'])('Network Manager with IPTABLES=%s', (variant) => {
  it('redirects inbound TCP to the Engine, idempotently, and spares the Engine and excluded ports', async () => {
    const pod = await lab.pod({ client: true });
    const env = { IPTABLES: variant, PROTECTED_PORTS: '*', EXCLUDED_PORTS: String(EXCLUDED_PORT) };

    const first = await networkManager(pod, env);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const steps = logLines(first).map((line) => line.step);
    expect(steps).toEqual(['config', 'variant', 'install', 'jumps', 'jumps', 'read-back', 'probe', 'done']);
    expect(logLines(first).find((line) => line.step === 'variant')?.variant).toBe(variant);
    const rulesAfterFirst = await natRules(pod, variant);
    expect(rulesAfterFirst).toContain('-A PREROUTING -p tcp -j MGW_INBOUND');

    // A restarted initContainer: same rules, no duplicated jump.
    const second = await networkManager(pod, env);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(logLines(second).filter((line) => line.step === 'jumps').map((line) => line.action)).toEqual(['kept', 'kept']);
    expect(await natRules(pod, variant)).toBe(rulesAfterFirst);

    // The Pod's containers start: the application, and the Engine on its inbound and ready ports.
    await lab.greeters(pod.netns, { [APP_PORT]: 'app', [EXCLUDED_PORT]: 'excluded', [ENGINE_INBOUND_PORT]: 'engine', [ENGINE_READY_PORT]: 'ready' });
    const client = pod.client?.netns ?? '';
    expect(await lab.greeting(client, pod.address, APP_PORT)).toBe('engine');
    expect(await lab.greeting(client, pod.address, EXCLUDED_PORT)).toBe('excluded');
    expect(await lab.greeting(client, pod.address, ENGINE_READY_PORT)).toBe('ready');
    // Inside the Pod: another container calling the Pod's address goes through the Engine, the
    // Engine's own traffic (its UID) and loopback go straight to the application.
    expect(await lab.greeting(pod.netns, pod.address, APP_PORT)).toBe('engine');
    expect(await lab.greeting(pod.netns, pod.address, APP_PORT, ENGINE_UID)).toBe('app');
    expect(await lab.greeting(pod.netns, '127.0.0.1', APP_PORT)).toBe('app');
  });

  it('redirects only the listed ports', async () => {
    const pod = await lab.pod({ client: true });
    const run = await networkManager(pod, { IPTABLES: variant, PROTECTED_PORTS: String(APP_PORT) });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    await lab.greeters(pod.netns, { [APP_PORT]: 'app', [APP_PORT + 1]: 'other', [ENGINE_INBOUND_PORT]: 'engine' });
    expect(await lab.greeting(pod.client?.netns ?? '', pod.address, APP_PORT)).toBe('engine');
    expect(await lab.greeting(pod.client?.netns ?? '', pod.address, APP_PORT + 1)).toBe('other');
  });

  it('fails the verification when the redirected probe cannot reach the Engine port', async () => {
    const pod = await lab.pod({ client: false });
    // A rule outside our chains that drops what arrives for the Engine: the rules install fine,
    // only the probe can tell that the Pod would not be protected.
    const drop = await lab.exec(pod.netns, `iptables-${variant}`, ['-A', 'INPUT', '-p', 'tcp', '--dport', String(ENGINE_INBOUND_PORT), '-j', 'DROP']);
    expect(drop.code).toBe(0);
    const run = await networkManager(pod, { IPTABLES: variant, PROTECTED_PORTS: String(APP_PORT) });
    expect(run.code).not.toBe(0);
    const last = logLines(run).at(-1);
    expect(last).toMatchObject({ level: 'error', step: 'probe' });
    expect(last?.error).toMatch(new RegExp(`probe to ${pod.address.replaceAll('.', '\\.')}:${APP_PORT} did not arrive at the Engine port ${ENGINE_INBOUND_PORT}`));
  });

  it('fails with the capability to add when NET_ADMIN is missing', async () => {
    const pod = await lab.pod({ client: false });
    const run = await networkManager(pod, { IPTABLES: variant }, ['setpriv', '--bounding-set=-net_admin', '--inh-caps=-net_admin']);
    expect(run.code).not.toBe(0);
    expect(logLines(run).at(-1)).toMatchObject({ level: 'error', step: 'install' });
    expect(logLines(run).at(-1)?.error).toContain('needs the NET_ADMIN capability');
  });
});

describe('Network Manager failures and variant detection', () => {
  it('names the other variant when the chosen one is not in the image', async () => {
    const pod = await lab.pod({ client: false });
    const run = await networkManager(pod, { IPTABLES: 'legacy', PATH: '/nonexistent' });
    expect(run.code).not.toBe(0);
    expect(logLines(run).at(-1)?.error).toBe('iptables-legacy-restore: not found in the image: set IPTABLES=nft or use an image that has iptables-legacy');
  });

  it('rejects a bad configuration naming the variable', async () => {
    const pod = await lab.pod({ client: false });
    const run = await networkManager(pod, { IPTABLES: 'iptables' });
    expect(run.code).not.toBe(0);
    expect(logLines(run).at(-1)).toMatchObject({ step: 'config', error: 'invalid configuration: IPTABLES: must be legacy, nft or auto' });
  });

  it.each([
    ['legacy', 'nft'],
    ['nft', 'legacy'],
  ])('IPTABLES=auto follows the rules already held by %s', async (seeded, other) => {
    const pod = await lab.pod({ client: false });
    for (const port of ['22', '53']) {
      const seed = await lab.exec(pod.netns, `iptables-${seeded}`, ['-A', 'INPUT', '-p', 'tcp', '--dport', port, '-j', 'ACCEPT']);
      expect(seed.code).toBe(0);
    }
    const run = await networkManager(pod, { IPTABLES: 'auto', PROTECTED_PORTS: String(APP_PORT) });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(logLines(run).find((line) => line.step === 'variant')).toMatchObject({ variant: seeded, msg: `using iptables-${seeded}` });
    expect(await natRules(pod, seeded)).toContain('-A PREROUTING -p tcp -j MGW_INBOUND');
    expect(await natRules(pod, other)).not.toContain('MGW_INBOUND');
  });
});

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * Network namespaces for the Network Manager's integration test: a "pod" namespace (its own
 * netfilter tables for both iptables variants) joined to a "client" namespace by a veth pair.
 * Every namespace created is recorded so {@link NetnsLab.cleanup} removes it, also after a failure.
 */

export const IP = '/usr/sbin/ip';

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion; a non-zero exit is a result, not an exception. */
export function run(file: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(file, args, { env: env ?? process.env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function must(file: string, args: readonly string[]): Promise<string> {
  const outcome = await run(file, args);
  if (outcome.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${outcome.code}: ${outcome.stderr}`);
  return outcome.stdout;
}

export interface Pod {
  netns: string;
  address: string;
  client?: { netns: string; address: string };
}

export class NetnsLab {
  private readonly namespaces: string[] = [];
  private readonly processes: ChildProcess[] = [];
  private count = 0;

  private async addNetns(name: string): Promise<void> {
    await must(IP, ['netns', 'add', name]);
    this.namespaces.push(name);
    await must(IP, ['-n', name, 'link', 'set', 'lo', 'up']);
  }

  /** A pod namespace with an address on a veth; with `client`, the peer end lives in a client namespace. */
  async pod(options: { client: boolean }): Promise<Pod> {
    const n = ++this.count;
    const id = `${process.pid % 100000}${n}`;
    const pod = `mgwnm-${id}-pod`;
    const subnet = `10.240.${n % 250}`;
    await this.addNetns(pod);
    await must(IP, ['-n', pod, 'link', 'add', 'nm0', 'type', 'veth', 'peer', 'name', 'nm1']);
    await must(IP, ['-n', pod, 'addr', 'add', `${subnet}.1/24`, 'dev', 'nm0']);
    await must(IP, ['-n', pod, 'link', 'set', 'nm0', 'up']);
    if (!options.client) {
      // The peer stays in the pod namespace: it only gives nm0 a carrier.
      await must(IP, ['-n', pod, 'link', 'set', 'nm1', 'up']);
      return { netns: pod, address: `${subnet}.1` };
    }
    const client = `mgwnm-${id}-client`;
    await this.addNetns(client);
    await must(IP, ['-n', pod, 'link', 'set', 'nm1', 'netns', client]);
    await must(IP, ['-n', client, 'addr', 'add', `${subnet}.2/24`, 'dev', 'nm1']);
    await must(IP, ['-n', client, 'link', 'set', 'nm1', 'up']);
    return { netns: pod, address: `${subnet}.1`, client: { netns: client, address: `${subnet}.2` } };
  }

  /** `ip netns exec <netns> <file> <args…>`. */
  exec(netns: string, file: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Outcome> {
    return run(IP, ['netns', 'exec', netns, file, ...args], env);
  }

  /**
   * TCP servers in a namespace that greet each connection with their name (`{ 8080: 'app' }`):
   * the greeting says which listener a connection really reached.
   */
  async greeters(netns: string, ports: Record<number, string>): Promise<ChildProcess> {
    const script = `
      const net = require('node:net');
      const ports = JSON.parse(process.argv[1]);
      let pending = Object.keys(ports).length;
      for (const [port, name] of Object.entries(ports)) {
        net.createServer((s) => { s.on('error', () => {}); s.end(name + '\\n'); })
          .listen(Number(port), '0.0.0.0', () => { if (--pending === 0) console.log('ready'); });
      }`;
    const child = spawn(IP, ['netns', 'exec', netns, process.execPath, '-e', script, JSON.stringify(ports)], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.processes.push(child);
    const [data] = (await once(child.stdout, 'data')) as [Buffer];
    if (!data.toString().includes('ready')) throw new Error(`greeters did not start: ${data.toString()}`);
    return child;
  }

  /**
   * The greeting a TCP connection from `netns` to host:port receives (bash's /dev/tcp, so it also
   * runs as the unprivileged Engine user, who cannot read the Node.js binary under /root).
   */
  async greeting(netns: string, host: string, port: number, asUid?: number): Promise<string> {
    const connect = ['timeout', '5', 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port} && head -n 1 <&3`];
    const argv = asUid === undefined ? connect : ['setpriv', `--reuid=${asUid}`, `--regid=${asUid}`, '--clear-groups', ...connect];
    const [file = '', ...args] = argv;
    const outcome = await this.exec(netns, file, args);
    return outcome.code === 0 ? outcome.stdout.trim() : `failed (${outcome.code}): ${outcome.stderr.trim()}`;
  }

  async stopProcesses(): Promise<void> {
    for (const child of this.processes.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
  }

  async cleanup(): Promise<void> {
    await this.stopProcesses();
    for (const name of this.namespaces.splice(0)) await run(IP, ['netns', 'del', name]);
  }
}

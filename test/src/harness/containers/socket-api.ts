// The few Docker API calls made on a unix socket before testcontainers is pointed at it: its
// configuration is read once per process, so probing through it before DOCKER_HOST names a
// private engine would pin it to "no engine" for the rest of the process.
import { request } from 'node:http';
import { HARNESS_LABEL } from './labels.js';

interface Reply {
  status: number;
  body: string;
}

function call(socketPath: string, method: string, path: string, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.once('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.once('error', reject);
    req.end();
  });
}

/** Does a Docker engine answer on this socket? */
export async function pingDocker(socketPath: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    return (await call(socketPath, 'GET', '/_ping', timeoutMs)).status === 200;
  } catch {
    return false;
  }
}

/** Removes every container the harness labelled (for an engine nobody else uses yet); returns how many. */
export async function removeHarnessContainers(socketPath: string): Promise<number> {
  const filters = encodeURIComponent(JSON.stringify({ label: [HARNESS_LABEL] }));
  const list = await call(socketPath, 'GET', `/containers/json?all=1&filters=${filters}`, 10_000);
  if (list.status !== 200) throw new Error(`listing containers: HTTP ${list.status} ${list.body}`);
  const ids = (JSON.parse(list.body) as { Id: string }[]).map((container) => container.Id);
  for (const id of ids) {
    const removed = await call(socketPath, 'DELETE', `/containers/${id}?force=1&v=1`, 30_000);
    if (removed.status !== 204 && removed.status !== 404) throw new Error(`removing container ${id}: HTTP ${removed.status} ${removed.body}`);
  }
  return ids.length;
}

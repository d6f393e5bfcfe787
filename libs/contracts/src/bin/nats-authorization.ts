// Where the generated NATS authorization fragments go, shared by the generator and its staleness test.
import { fileURLToPath } from 'node:url';
import type { InstanceName } from '../instance.js';
import { DEFAULT_INSTANCE } from '../instance.js';
import { renderNatsAuthorization } from '../nats/authorization-conf.js';

/** The repository's deploy/, whether run from src/bin or dist/bin. */
const deployDir = (path: string): string => fileURLToPath(new URL(`../../../../deploy/${path}`, import.meta.url));

/** The base installation (instance `default`) and the overlay running `default` and `blue` on one NATS. */
export const NATS_AUTHORIZATION_TARGETS: readonly { dir: string; instances: readonly InstanceName[] }[] = [
  { dir: deployDir('base/nats/'), instances: [DEFAULT_INSTANCE] },
  { dir: deployDir('overlays/two-instances/nats/'), instances: [DEFAULT_INSTANCE, 'blue'] },
];

export function natsAuthorizationFiles(): { dir: string; content: string }[] {
  return NATS_AUTHORIZATION_TARGETS.map(({ dir, instances }) => ({ dir, content: renderNatsAuthorization(instances) }));
}

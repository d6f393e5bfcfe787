// The least-privilege NATS users of an instance (libs/contracts natsIdentity) as harness users,
// with a fresh password each: what deploy/ ships, for tests that run services or auditors.
import { randomBytes } from 'node:crypto';
import type { InstanceName, NatsRole } from '@microgateway/contracts';
import { natsIdentity } from '@microgateway/contracts';
import type { NatsUser } from './types.js';

export interface NatsRoleUser extends NatsUser {
  role: NatsRole;
  /** The client must connect with it: its user may subscribe to nothing else. */
  inboxPrefix: string;
}

export function natsRoleUser(instance: InstanceName, role: NatsRole, password = randomBytes(18).toString('base64url')): NatsRoleUser {
  const { user, inboxPrefix, permissions } = natsIdentity(instance, role);
  return { role, user, password, inboxPrefix, permissions };
}

// The NATS objects the watcher writes: the resources and secrets buckets (the events stream is
// ensured by the runtime kit, shared with the other services).
import type { JetStreamClient } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { Kvm } from '@nats-io/kv';
import { bucketName } from '@microgateway/contracts';
import type { InstanceName } from '@microgateway/contracts';
import type { MirrorBucket } from '../core/kinds.js';

export type Buckets = Record<MirrorBucket, KV>;

/** Creates (or opens) the resources and secrets buckets; one value per key, no history. */
export async function openBuckets(js: JetStreamClient, instance: InstanceName): Promise<Buckets> {
  const kvm = new Kvm(js);
  const [resources, secrets] = await Promise.all([
    kvm.create(bucketName(instance, 'resources'), { history: 1, description: 'normalized Kubernetes objects (watcher)' }),
    kvm.create(bucketName(instance, 'secrets'), { history: 1, description: 'Secrets referenced by Gateways (watcher)' }),
  ]);
  return { resources, secrets };
}

// `mgw dev events`: the audit trail of a local installation as one CloudEvent JSON per line, read
// the way an auditor reads it — an ephemeral ordered consumer on the events stream, nothing acked,
// nothing left behind on the server.
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { ConsumerMessages } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { InstanceName } from '@microgateway/contracts';
import { eventsStreamName } from '@microgateway/contracts';
import type { DevState } from './state.js';

export interface FollowEventsOptions {
  /** Only events newer than this; all retained events when absent. */
  since?: Date;
  /** Called with each event as one line of JSON. */
  write: (line: string) => void;
  /** Resolves when following should stop (Ctrl-C). */
  until: Promise<unknown>;
}

/** `10m`, `90s`, `2h`, `1d` → milliseconds; undefined when it is not such a duration. */
export function parseSince(text: string): number | undefined {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** Prints the events of the installation's instance until `until` resolves. */
export async function followEvents(state: DevState, instance: InstanceName, opts: FollowEventsOptions): Promise<void> {
  const url = new URL(state.nats.url);
  const nc = await connect({ servers: `${url.hostname}:${url.port}`, user: state.nats.user, pass: state.nats.password, name: 'mgw dev events' });
  let messages: ConsumerMessages | undefined;
  try {
    const js = jetstream(nc);
    const consumer = await js.consumers.get(
      eventsStreamName(instance),
      opts.since ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: opts.since.toISOString() } : { deliver_policy: DeliverPolicy.All },
    );
    messages = await consumer.consume();
    const printing = (async () => {
      for await (const message of messages) opts.write(oneLine(message.string()));
    })();
    await Promise.race([opts.until, printing]);
  } finally {
    await messages?.close().catch(() => undefined);
    await nc.close();
  }
}

/** The event as compact JSON; a payload that is not JSON is printed as it came. */
function oneLine(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload));
  } catch {
    return payload.replace(/\n/g, ' ');
  }
}

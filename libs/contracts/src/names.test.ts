import { describe, expect, it } from 'vitest';
import {
  BUCKETS,
  JOB_KINDS,
  bucketName,
  eventSubject,
  eventsStreamName,
  eventsSubjectFilter,
  jobConsumerName,
  jobStreamName,
  jobSubject,
  jobSubjectFilter,
  subjectPrefix,
} from './names.js';

const STREAM_NAME = /^[^.*> ]+$/;
const BUCKET_NAME = /^[-_a-zA-Z0-9]+$/;

describe('NATS names', () => {
  it('prefix every subject with the instance', () => {
    expect(subjectPrefix('default')).toBe('mgw.default.');
    expect(eventsSubjectFilter('blue')).toBe('mgw.blue.events.>');
  });

  it('put the event type and the object key into event subjects', () => {
    expect(eventSubject('default', 'resource.changed', { kind: 'HTTPRoute', namespace: 'prod', name: 'api.v1' })).toBe(
      'mgw.default.events.resource.changed.HTTPRoute.prod.api=2Ev1',
    );
    expect(eventSubject('default', 'config.rendered', { kind: 'GatewayClass', name: 'mgw' })).toBe(
      'mgw.default.events.config.rendered.GatewayClass._.mgw',
    );
  });

  it('give each job kind one subject per Gateway inside its stream filter', () => {
    for (const kind of JOB_KINDS) {
      const subject = jobSubject('default', kind, { namespace: 'prod', name: 'edge.gw' });
      expect(subject).toBe(`mgw.default.jobs.${kind}.prod.edge=2Egw`);
      expect(subject.startsWith(jobSubjectFilter('default', kind).slice(0, -1))).toBe(true);
      expect(jobConsumerName(kind)).toMatch(STREAM_NAME);
    }
  });

  it('make stream names NATS accepts and keeps instances apart', () => {
    expect(eventsStreamName('default')).toBe('MGW_DEFAULT_EVENTS');
    expect(eventsStreamName('team-a')).toBe('MGW_TEAM_A_EVENTS');
    expect(jobStreamName('team-a', 'render')).toBe('MGW_TEAM_A_RENDER_JOBS');
    const names = ['a', 'a-b', 'ab', 'b'].flatMap((i) => [eventsStreamName(i), ...JOB_KINDS.map((k) => jobStreamName(i, k))]);
    for (const name of names) expect(name).toMatch(STREAM_NAME);
    expect(new Set(names).size).toBe(names.length);
  });

  it('name one bucket per purpose and instance', () => {
    expect(bucketName('default', 'resources')).toBe('mgw-default-resources');
    for (const purpose of BUCKETS) expect(bucketName('x'.repeat(32), purpose)).toMatch(BUCKET_NAME);
    expect(BUCKETS).toEqual(['resources', 'secrets', 'xds', 'infra', 'status']);
  });
});

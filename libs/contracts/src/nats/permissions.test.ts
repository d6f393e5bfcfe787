import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../events/catalog.js';
import { bucketName, eventsStreamName, jobStreamName } from '../names.js';
import { renderNatsAuthorization } from './authorization-conf.js';
import { EVENT_PUBLISHERS, NATS_ROLES, NATS_SERVICE_ROLES, natsIdentity, natsInboxPrefix, natsPasswordVariable, natsPermissions, natsUserName } from './permissions.js';

const allowed = (role: (typeof NATS_ROLES)[number], instance = 'default'): string[] => natsPermissions(instance, role).publish.allow;

describe('NATS users per role', () => {
  it('names users, inboxes and password variables after instance and role', () => {
    expect(natsIdentity('blue-2', 'watcher')).toMatchObject({ user: 'mgw-blue-2-watcher', inboxPrefix: '_INBOX_mgw_blue-2_watcher' });
    expect(natsPasswordVariable('blue-2', 'auditor')).toBe('MGW_BLUE_2_AUDITOR_PASSWORD');
    const names = ['default', 'blue'].flatMap((i) => NATS_ROLES.flatMap((r) => [natsUserName(i, r), natsInboxPrefix(i, r), natsPasswordVariable(i, r)]));
    expect(new Set(names).size).toBe(names.length);
  });

  it('lets every user subscribe to its own inbox and nothing else', () => {
    for (const role of NATS_ROLES) expect(natsPermissions('default', role).subscribe.allow).toEqual([`${natsInboxPrefix('default', role)}.>`]);
  });

  it('gives every event type exactly one publishing service', () => {
    const published = NATS_SERVICE_ROLES.flatMap((role) => EVENT_PUBLISHERS[role]);
    expect([...published].sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('lets only the owner create a stream or write a bucket', () => {
    const creators = (stream: string): string[] => NATS_ROLES.filter((r) => allowed(r).includes(`$JS.API.STREAM.CREATE.${stream}`));
    const writers = (purpose: 'resources' | 'secrets' | 'xds' | 'infra' | 'status'): string[] => NATS_ROLES.filter((r) => allowed(r).includes(`$KV.${bucketName('default', purpose)}.>`));
    expect(creators(`KV_${bucketName('default', 'resources')}`)).toEqual(['watcher']);
    expect(creators(`KV_${bucketName('default', 'secrets')}`)).toEqual(['watcher']);
    for (const purpose of ['xds', 'infra', 'status'] as const) expect(creators(`KV_${bucketName('default', purpose)}`)).toEqual(['renderer']);
    expect(creators(jobStreamName('default', 'render'))).toEqual(['renderer']);
    expect(creators(jobStreamName('default', 'deploy'))).toEqual(['deployer']);
    expect(creators(jobStreamName('default', 'cert'))).toEqual(['ca']);
    expect(creators(eventsStreamName('default'))).toEqual(['watcher', 'renderer', 'deployer']);
    expect(writers('resources')).toEqual(['watcher']);
    expect(writers('secrets')).toEqual(['watcher']);
    for (const purpose of ['xds', 'infra', 'status'] as const) expect(writers(purpose)).toEqual(['renderer']);
  });

  it('keeps the secrets bucket from everyone but the watcher and the renderer', () => {
    const secrets = `KV_${bucketName('default', 'secrets')}`;
    expect(NATS_ROLES.filter((r) => allowed(r).some((s) => s.includes(secrets)))).toEqual(['watcher', 'renderer']);
  });

  it('keeps instances apart', () => {
    for (const role of NATS_ROLES) {
      for (const subject of allowed(role, 'blue')) expect(subject, `${role}: ${subject}`).toMatch(/blue|BLUE|^\$JS\.API\.INFO$/);
    }
  });

  it('grants no full wildcard outside the own buckets, queues and streams', () => {
    for (const role of NATS_ROLES) {
      for (const subject of allowed(role)) expect(subject, `${role}: ${subject}`).not.toMatch(/^(>|\$JS\.>|\$JS\.API\.>|\$KV\.>|mgw\.>|mgw\.default\.>|_INBOX\.>)$/);
    }
  });

  it('renders a users block with password variables and no password', () => {
    const conf = renderNatsAuthorization(['default']);
    expect(conf).toContain('password: $MGW_DEFAULT_WATCHER_PASSWORD\n');
    expect(conf.match(/user: /g)).toHaveLength(NATS_ROLES.length);
  });
});

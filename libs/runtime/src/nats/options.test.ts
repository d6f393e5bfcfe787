import { describe, expect, it } from 'vitest';
import { natsConnectionOptions } from './options.js';

const noFile = (): Uint8Array => {
  throw new Error('no file expected');
};

describe('natsConnectionOptions', () => {
  it('reconnects forever, also before the first connection', () => {
    const options = natsConnectionOptions({ servers: ['nats://a:4222'] }, { name: 'mgw-default-watcher' }, noFile);
    expect(options).toMatchObject({
      servers: ['nats://a:4222'],
      name: 'mgw-default-watcher',
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      ignoreAuthErrorAbort: true,
    });
    expect(options.user).toBeUndefined();
    expect(options.inboxPrefix).toBeUndefined();
    expect(options.authenticator).toBeUndefined();
  });

  it('passes user and password', () => {
    const options = natsConnectionOptions({ servers: ['nats://a:4222'], user: 'u', password: 'p' }, { name: 'n' }, noFile);
    expect(options).toMatchObject({ user: 'u', pass: 'p' });
  });

  it('uses the inbox prefix its NATS user may subscribe to', () => {
    const options = natsConnectionOptions({ servers: ['nats://a:4222'] }, { name: 'n', inboxPrefix: '_INBOX_mgw_default_ca' }, noFile);
    expect(options.inboxPrefix).toBe('_INBOX_mgw_default_ca');
  });

  it('reads the creds file when authenticating, not before', () => {
    const reads: string[] = [];
    const options = natsConnectionOptions({ servers: ['nats://a:4222'], credsFile: '/run/u.creds' }, { name: 'n' }, (path) => {
      reads.push(path);
      return new Uint8Array();
    });
    expect(typeof options.authenticator).toBe('function');
    expect(reads).toEqual([]);
  });
});

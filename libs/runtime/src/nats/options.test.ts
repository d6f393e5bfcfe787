import { describe, expect, it } from 'vitest';
import { natsConnectionOptions } from './options.js';

const noFile = (): Uint8Array => {
  throw new Error('no file expected');
};

describe('natsConnectionOptions', () => {
  it('reconnects forever, also before the first connection', () => {
    const options = natsConnectionOptions({ servers: ['nats://a:4222'] }, 'mgw-default-watcher', noFile);
    expect(options).toMatchObject({
      servers: ['nats://a:4222'],
      name: 'mgw-default-watcher',
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      ignoreAuthErrorAbort: true,
    });
    expect(options.user).toBeUndefined();
    expect(options.authenticator).toBeUndefined();
  });

  it('passes user and password', () => {
    const options = natsConnectionOptions({ servers: ['nats://a:4222'], user: 'u', password: 'p' }, 'n', noFile);
    expect(options).toMatchObject({ user: 'u', pass: 'p' });
  });

  it('reads the creds file when authenticating, not before', () => {
    const reads: string[] = [];
    const options = natsConnectionOptions({ servers: ['nats://a:4222'], credsFile: '/run/u.creds' }, 'n', (path) => {
      reads.push(path);
      return new Uint8Array();
    });
    expect(typeof options.authenticator).toBe('function');
    expect(reads).toEqual([]);
  });
});

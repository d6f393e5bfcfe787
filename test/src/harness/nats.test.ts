import { describe, expect, it } from 'vitest';
import { renderNatsConfig } from './nats.js';
import type { NatsRuntimeOptions } from './nats.js';

const runtime: NatsRuntimeOptions = {
  port: 4222,
  storeDir: '/var/lib/nats',
  serverName: 'mgw-test',
  admin: { user: 'admin', password: 'admin-pw' },
  system: { user: 'system', password: 'system-pw' },
};

describe('renderNatsConfig', () => {
  it('renders JetStream, the application account with the admin, and the system account', () => {
    expect(renderNatsConfig({}, runtime)).toBe(
      [
        'server_name: "mgw-test"',
        'listen: "127.0.0.1:4222"',
        'jetstream {',
        '  store_dir: "/var/lib/nats"',
        '}',
        'accounts {',
        '  APP {',
        '    jetstream: enabled',
        '    users: [',
        '      { user: "admin", password: "admin-pw" }',
        '    ]',
        '  }',
        '  SYS {',
        '    users: [',
        '      { user: "system", password: "system-pw" }',
        '    ]',
        '  }',
        '}',
        'system_account: SYS',
        '',
      ].join('\n'),
    );
  });

  it('renders publish and subscribe allow/deny lists and allow_responses', () => {
    const config = renderNatsConfig(
      {
        users: [
          {
            user: 'renderer',
            password: 'pw',
            permissions: {
              publish: { allow: ['mgw.default.events.>', '$JS.API.>'], deny: ['mgw.default.events.secret'] },
              subscribe: { allow: ['_INBOX.>'] },
              allowResponses: true,
            },
          },
          { user: 'auditor', password: 'pw2', permissions: { subscribe: { deny: ['>'] } } },
        ],
      },
      runtime,
    );
    expect(config).toContain(
      '{ user: "renderer", password: "pw", permissions: { publish: { allow: ["mgw.default.events.>", "$JS.API.>"], deny: ["mgw.default.events.secret"] }, subscribe: { allow: ["_INBOX.>"] }, allow_responses: true } }',
    );
    expect(config).toContain('{ user: "auditor", password: "pw2", permissions: { subscribe: { deny: [">"] } } }');
    // Users live in the JetStream-enabled application account, before the system account.
    expect(config.indexOf('"renderer"')).toBeGreaterThan(config.indexOf('jetstream: enabled'));
    expect(config.indexOf('"auditor"')).toBeLessThan(config.indexOf('SYS {'));
  });

  it('quotes passwords so any character is safe', () => {
    const config = renderNatsConfig({ users: [{ user: 'u', password: 'a"b\\c}#d' }] }, runtime);
    expect(config).toContain('password: "a\\"b\\\\c}#d"');
  });

  it('adds the monitoring endpoint and listen host only when asked', () => {
    const config = renderNatsConfig({}, { ...runtime, host: '0.0.0.0', monitorPort: 8222 });
    expect(config).toContain('listen: "0.0.0.0:4222"');
    expect(config).toContain('http: "0.0.0.0:8222"');
    expect(renderNatsConfig({}, runtime)).not.toContain('http:');
  });

  it('refuses a user that collides with the reserved admin or system user, or with another user', () => {
    expect(() => renderNatsConfig({ users: [{ user: 'admin', password: 'x' }] }, runtime)).toThrow(/"admin" is defined twice/);
    expect(() => renderNatsConfig({ users: [{ user: 'system', password: 'x' }] }, runtime)).toThrow(/"system"/);
    expect(() => renderNatsConfig({ users: [{ user: 'a', password: 'x' }, { user: 'a', password: 'y' }] }, runtime)).toThrow(/"a"/);
  });
});

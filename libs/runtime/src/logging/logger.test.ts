import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture(): { destination: { write(line: string): void }; lines: () => Record<string, unknown>[] } {
  const written: string[] = [];
  return {
    destination: { write: (line: string) => void written.push(line) },
    lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON lines with service, instance, pid, hostname and a level label', () => {
    const out = capture();
    createLogger({ service: 'watcher', instance: 'blue', level: 'info', destination: out.destination }).info({ n: 1 }, 'hello');
    const [line] = out.lines();
    expect(line).toMatchObject({ level: 'info', service: 'watcher', instance: 'blue', pid: process.pid, n: 1, msg: 'hello' });
    expect(typeof line?.hostname).toBe('string');
    expect(new Date(String(line?.time)).toISOString()).toBe(line?.time);
  });

  it('drops records below the level', () => {
    const out = capture();
    const logger = createLogger({ service: 's', instance: 'i', level: 'warn', destination: out.destination });
    logger.info('quiet');
    logger.warn('loud');
    expect(out.lines().map((l) => l.msg)).toEqual(['loud']);
  });

  it('redacts secrets at any of the first three levels but keeps KV keys', () => {
    const out = capture();
    const logger = createLogger({ service: 's', instance: 'i', level: 'info', destination: out.destination });
    logger.info(
      { password: 'p1', config: { nats: { password: 'p2', user: 'u' } }, auth: { token: 't' }, tls: { privateKey: 'k' }, key: 'gateway.ns.name' },
      'with secrets',
    );
    const [line] = out.lines();
    expect(line).toMatchObject({
      password: '[redacted]',
      config: { nats: { password: '[redacted]', user: 'u' } },
      auth: { token: '[redacted]' },
      tls: { privateKey: '[redacted]' },
      key: 'gateway.ns.name',
    });
    expect(JSON.stringify(line)).not.toMatch(/p1|p2|"t"|"k"/);
  });

  it('omits instance before the config is loaded', () => {
    const out = capture();
    createLogger({ service: 's', level: 'info', destination: out.destination }).fatal('bad config');
    expect(out.lines()[0]).not.toHaveProperty('instance');
  });
});

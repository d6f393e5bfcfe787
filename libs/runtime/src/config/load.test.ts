import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UsageError, parseServiceArgs } from './argv.js';
import { ConfigError, loadServiceConfig, parseServiceConfig } from './load.js';
import { baseServiceConfigSchema, kubernetesConfigSchema } from './schema.js';

const kubeServiceSchema = baseServiceConfigSchema.extend({ kubernetes: kubernetesConfigSchema.prefault({}) });

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('parseServiceConfig', () => {
  it('fills every default when there is neither file nor environment', () => {
    const { config, overrides } = parseServiceConfig(baseServiceConfigSchema, { fileText: undefined, env: {} });
    expect(config).toEqual({
      instance: 'default',
      logLevel: 'info',
      http: { host: '0.0.0.0', port: 8080 },
      nats: { servers: ['nats://127.0.0.1:4222'] },
      shutdownTimeoutMs: 20_000,
    });
    expect(overrides).toEqual([]);
  });

  it('reads YAML and keeps defaults for what the file leaves out', () => {
    const fileText = 'instance: blue\nhttp:\n  port: 9100\nnats:\n  servers: [nats://a:4222, nats://b:4222]\n';
    const { config } = parseServiceConfig(baseServiceConfigSchema, { fileText, env: {} });
    expect(config.instance).toBe('blue');
    expect(config.http).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(config.nats.servers).toEqual(['nats://a:4222', 'nats://b:4222']);
  });

  it('reads JSON too', () => {
    const { config } = parseServiceConfig(baseServiceConfigSchema, { fileText: '{"logLevel":"debug"}', env: {} });
    expect(config.logLevel).toBe('debug');
  });

  it('lets MGW_* variables win over the file', () => {
    const fileText = 'instance: blue\nlogLevel: warn\nhttp: {port: 9100}\nnats: {servers: [nats://file:4222], user: a, password: b}\n';
    const env = {
      MGW_INSTANCE: 'green',
      MGW_LOG_LEVEL: 'debug',
      MGW_HTTP_PORT: '9200',
      MGW_NATS_URL: 'nats://x:4222, nats://y:4222',
      MGW_NATS_USER: 'watcher',
      MGW_NATS_PASSWORD: 's3cret',
    };
    const { config, overrides } = parseServiceConfig(baseServiceConfigSchema, { fileText, file: 'c.yaml', env });
    expect(config).toMatchObject({
      instance: 'green',
      logLevel: 'debug',
      http: { port: 9200 },
      nats: { servers: ['nats://x:4222', 'nats://y:4222'], user: 'watcher', password: 's3cret' },
    });
    expect(overrides.map((o) => o.variable)).toEqual(Object.keys(env).sort((a, b) => order(a) - order(b)));
  });

  it('treats empty variables as unset', () => {
    const { config } = parseServiceConfig(baseServiceConfigSchema, { fileText: 'instance: blue', env: { MGW_INSTANCE: '' } });
    expect(config.instance).toBe('blue');
  });

  it('maps MGW_NATS_CREDS and MGW_KUBECONFIG to their fields', () => {
    const env = { MGW_NATS_CREDS: '/run/nats/user.creds', MGW_KUBECONFIG: '/home/op/.kube/config' };
    const { config } = parseServiceConfig(kubeServiceSchema, { fileText: undefined, env });
    expect(config.nats.credsFile).toBe('/run/nats/user.creds');
    expect(config.kubernetes).toEqual({ kubeconfig: '/home/op/.kube/config', inCluster: false });
  });

  it('ignores MGW_KUBECONFIG for a service without a kubernetes section', () => {
    const { config, overrides } = parseServiceConfig(baseServiceConfigSchema, { fileText: undefined, env: { MGW_KUBECONFIG: '/k' } });
    expect(config).not.toHaveProperty('kubernetes');
    expect(overrides).toEqual([]);
  });

  it('names each bad field with its path and where the value came from', () => {
    const fileText = 'logLevel: loud\nhttp: {port: 70000}\nnats: {servers: []}\n';
    const error = errorOf(() =>
      parseServiceConfig(baseServiceConfigSchema, { fileText, file: '/etc/mgw.yaml', env: { MGW_INSTANCE: 'Not_Valid' } }),
    );
    expect(error).toBeInstanceOf(ConfigError);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('invalid configuration:');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}- instance: must be a lowercase DNS-1123 label.*\(from MGW_INSTANCE\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}- logLevel: .*\(from \/etc\/mgw\.yaml\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}- http\.port: .*65535.*\(from \/etc\/mgw\.yaml\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}- nats\.servers: .*\(from \/etc\/mgw\.yaml\)$/));
  });

  it('reports a non-numeric MGW_HTTP_PORT as a type error naming the variable', () => {
    const error = errorOf(() => parseServiceConfig(baseServiceConfigSchema, { fileText: undefined, env: { MGW_HTTP_PORT: '80a' } }));
    expect(error.message).toMatch(/- http\.port: .*number.*\(from MGW_HTTP_PORT\)/);
  });

  it('rejects unknown settings by their full path, also in extended schemas', () => {
    const fileText = 'nats: {servers: [nats://a:4222], usr: x}\nkubernetes: {kubeconfg: /k}\ntypo: 1\n';
    const error = errorOf(() => parseServiceConfig(kubeServiceSchema, { fileText, env: {} }));
    expect(error.message).toContain('- nats.usr: unknown setting');
    expect(error.message).toContain('- kubernetes.kubeconfg: unknown setting');
    expect(error.message).toContain('- typo: unknown setting');
  });

  it('requires user and password together, and not with a creds file', () => {
    const onlyUser = errorOf(() => parseServiceConfig(baseServiceConfigSchema, { fileText: undefined, env: { MGW_NATS_USER: 'u' } }));
    expect(onlyUser.message).toContain('- nats.password: is required when nats.user is set');
    const both = errorOf(() =>
      parseServiceConfig(baseServiceConfigSchema, {
        fileText: undefined,
        env: { MGW_NATS_USER: 'u', MGW_NATS_PASSWORD: 'p', MGW_NATS_CREDS: '/c' },
      }),
    );
    expect(both.message).toContain('- nats.credsFile: cannot be combined with nats.user/nats.password');
  });

  it('rejects kubeconfig together with inCluster', () => {
    const error = errorOf(() =>
      parseServiceConfig(kubeServiceSchema, { fileText: 'kubernetes: {inCluster: true}', env: { MGW_KUBECONFIG: '/k' } }),
    );
    expect(error.message).toContain('- kubernetes.inCluster: set either kubeconfig or inCluster, not both');
  });

  it('rejects a file that is not a mapping, or not YAML', () => {
    expect(errorOf(() => parseServiceConfig(baseServiceConfigSchema, { fileText: '- a\n- b', file: 'l.yaml', env: {} })).message).toBe(
      'config file l.yaml must contain a mapping (key: value), not a list',
    );
    expect(errorOf(() => parseServiceConfig(baseServiceConfigSchema, { fileText: 'a: [', file: 'b.yaml', env: {} })).message).toMatch(
      /^config file b\.yaml is not valid YAML\/JSON: /,
    );
  });

  it('accepts an empty file as all defaults', () => {
    const { config } = parseServiceConfig(baseServiceConfigSchema, { fileText: '', env: {} });
    expect(config.instance).toBe('default');
  });

  it('validates service-specific sections added by extension', () => {
    const schema = baseServiceConfigSchema.extend({ renewEveryHours: z.number().positive().default(48) });
    expect(parseServiceConfig(schema, { fileText: undefined, env: {} }).config.renewEveryHours).toBe(48);
    expect(errorOf(() => parseServiceConfig(schema, { fileText: 'renewEveryHours: -1', env: {} })).message).toContain('- renewEveryHours:');
  });
});

describe('loadServiceConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mgw-config-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, 'instance: from-file\n');

  it('reads the file named by --config', () => {
    const loaded = loadServiceConfig(baseServiceConfigSchema, { argv: ['--config', file], env: {} });
    expect(loaded.config.instance).toBe('from-file');
    expect(loaded.file).toBe(file);
  });

  it('falls back to $MGW_CONFIG, and --config wins over it', () => {
    const other = join(dir, 'other.json');
    writeFileSync(other, '{"instance": "from-env-file"}');
    expect(loadServiceConfig(baseServiceConfigSchema, { argv: [], env: { MGW_CONFIG: other } }).config.instance).toBe('from-env-file');
    expect(loadServiceConfig(baseServiceConfigSchema, { argv: [`--config=${file}`], env: { MGW_CONFIG: other } }).config.instance).toBe(
      'from-file',
    );
  });

  it('says which file it cannot read', () => {
    const missing = join(dir, 'missing.yaml');
    const error = errorOf(() => loadServiceConfig(baseServiceConfigSchema, { argv: ['--config', missing], env: {} }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`cannot read config file ${missing}`);
  });
});

describe('parseServiceArgs', () => {
  it('accepts --config in both forms and nothing else', () => {
    expect(parseServiceArgs([])).toEqual({});
    expect(parseServiceArgs(['--config', 'a.yaml'])).toEqual({ configFile: 'a.yaml' });
    expect(parseServiceArgs(['--config=b.yaml'])).toEqual({ configFile: 'b.yaml' });
    expect(() => parseServiceArgs(['--config'])).toThrow(UsageError);
    expect(() => parseServiceArgs(['--config='])).toThrow(UsageError);
    expect(() => parseServiceArgs(['--verbose'])).toThrow('unknown argument "--verbose"');
  });
});

// The order in which ENV_OVERRIDES lists the variables.
function order(variable: string): number {
  return ['MGW_INSTANCE', 'MGW_LOG_LEVEL', 'MGW_HTTP_PORT', 'MGW_NATS_URL', 'MGW_NATS_USER', 'MGW_NATS_PASSWORD'].indexOf(variable);
}

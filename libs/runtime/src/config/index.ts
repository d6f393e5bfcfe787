export { parseServiceArgs, UsageError, type ServiceArgs } from './argv.js';
export { ConfigError, loadServiceConfig, parseServiceConfig, type ConfigSources, type LoadedConfig } from './load.js';
export { ENV_OVERRIDES, applyEnvOverrides, type AppliedOverride, type Env, type EnvOverride } from './overrides.js';
export {
  baseServiceConfigSchema,
  httpConfigSchema,
  kubernetesConfigSchema,
  logLevelSchema,
  natsConfigSchema,
  type BaseServiceConfig,
  type KubernetesConfig,
  type LogLevel,
  type NatsConfig,
} from './schema.js';

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { parseServiceArgs } from './argv.js';
import { applyEnvOverrides, type AppliedOverride, type Env } from './overrides.js';

/** A configuration that cannot be used; the message lists every bad field with where it came from. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ConfigSources {
  /** Command-line arguments after the script (process.argv.slice(2)). */
  argv: readonly string[];
  /** The environment (process.env), passed in by the composition root. */
  env: Env;
  /** Reads the config file; injectable so parsing stays testable without files. */
  readFile?: (path: string) => string;
}

export interface LoadedConfig<C> {
  config: C;
  /** The file the config came from, if any. */
  file: string | undefined;
  /** Which MGW_* variables overrode which fields (names only: values may be secrets). */
  overrides: AppliedOverride[];
}

/**
 * Loads a service's configuration once: the file from `--config FILE` (else $MGW_CONFIG, else none:
 * defaults only), then MGW_* environment overrides, validated by `schema` (the base schema or an
 * extension of it). Throws ConfigError naming each bad field.
 */
export function loadServiceConfig<S extends z.ZodObject>(schema: S, sources: ConfigSources): LoadedConfig<z.output<S>> {
  const args = parseServiceArgs(sources.argv);
  const file = args.configFile ?? nonEmpty(sources.env.MGW_CONFIG);
  const fileText = file === undefined ? undefined : readConfigFile(file, sources.readFile);
  return parseServiceConfig(schema, { fileText, file, env: sources.env });
}

/** The pure half of loadServiceConfig: from file text and environment to a validated config. */
export function parseServiceConfig<S extends z.ZodObject>(
  schema: S,
  input: { fileText: string | undefined; file?: string | undefined; env: Env },
): LoadedConfig<z.output<S>> {
  const fromFile = input.fileText === undefined ? {} : parseConfigText(input.fileText, input.file ?? 'config');
  const sections = new Set(Object.keys(schema.shape));
  const { config: raw, applied } = applyEnvOverrides(fromFile, input.env, sections);
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(describeIssues(result.error.issues, input.file, applied));
  }
  return { config: result.data, file: input.file, overrides: applied };
}

function readConfigFile(path: string, readFile: ((path: string) => string) | undefined): string {
  try {
    return readFile ? readFile(path) : readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
}

function parseConfigText(text: string, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    // YAML 1.2 is a superset of JSON, so one parser serves both formats.
    value = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid YAML/JSON: ${(error as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`config file ${file} must contain a mapping (key: value), not ${Array.isArray(value) ? 'a list' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

function describeIssues(issues: readonly z.core.$ZodIssue[], file: string | undefined, applied: readonly AppliedOverride[]): string {
  const lines = issues.flatMap((issue) =>
    problemsOf(issue).map(({ path, message }) => {
      const origin = originOf(path, file, applied);
      return `  - ${path || '(top level)'}: ${message}${origin ? ` (from ${origin})` : ''}`;
    }),
  );
  return `invalid configuration:\n${lines.join('\n')}`;
}

/** One line per bad field; an unknown key is named by its own path, as the operator wrote it. */
function problemsOf(issue: z.core.$ZodIssue): { path: string; message: string }[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: path ? `${path}.${key}` : key, message: 'unknown setting' }));
  }
  return [{ path, message: issue.message }];
}

/** Which source supplied the value at `path`: an MGW_* variable, else the file (if there was one). */
function originOf(path: string, file: string | undefined, applied: readonly AppliedOverride[]): string | undefined {
  const override = applied.find((o) => path === o.path || path.startsWith(`${o.path}.`));
  return override?.variable ?? file;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

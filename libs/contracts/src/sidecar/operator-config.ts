// The operator configuration of sidecar mode: the ConfigMap `microgateway-operator-config` in the
// system namespace holds `operator_config.yaml` and the container templates it references, among
// them `network_manager_container_template.yaml`. Both are parsed here, once, for every reader
// (the watcher mirrors the ConfigMap; the injector takes the last good parse). A bad file yields
// issues naming the file and the field, never a partial configuration.
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { z } from 'zod';
import { canonicalJson } from '../canonical.js';
import { engineResourcesSchema } from '../crds/gateway-parameters.js';

export const OPERATOR_CONFIG_FILE = 'operator_config.yaml';
export const NETWORK_MANAGER_TEMPLATE_FILE = 'network_manager_container_template.yaml';

const imagePullPolicySchema = z.enum(['Always', 'IfNotPresent', 'Never']);
const fileNameSchema = z.string().regex(/^[A-Za-z0-9._-]+\.ya?ml$/, 'must name a .yaml key of the same ConfigMap');

export const operatorConfigSchema = z.strictObject({
  sidecar: z
    .strictObject({
      engine: z
        .strictObject({
          image: z.string().min(1).default('docker.io/envoyproxy/envoy:v1.40.0'),
          imagePullPolicy: imagePullPolicySchema.default('IfNotPresent'),
          resources: engineResourcesSchema.optional(),
        })
        .prefault({}),
      /** The key of this ConfigMap holding the Network Manager's container template. */
      networkManagerTemplate: fileNameSchema.default(NETWORK_MANAGER_TEMPLATE_FILE),
    })
    .prefault({}),
});
export type OperatorConfig = z.infer<typeof operatorConfigSchema>;

export const IPTABLES_MODES = ['legacy', 'nft', 'auto'] as const;

const envVarSchema = z.strictObject({ name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'), value: z.string() });

/** What an operator may set on the Network Manager initContainer; the rest is ours (capabilities, ports). */
export const networkManagerTemplateSchema = z
  .strictObject({
    image: z.string().min(1),
    imagePullPolicy: imagePullPolicySchema.default('IfNotPresent'),
    resources: engineResourcesSchema.optional(),
    env: z.array(envVarSchema).default([]),
  })
  .superRefine((template, ctx) => {
    const seen = new Set<string>();
    template.env.forEach((variable, index) => {
      if (seen.has(variable.name)) ctx.addIssue({ code: 'custom', path: ['env', index, 'name'], message: `${variable.name} is set twice` });
      seen.add(variable.name);
      if (variable.name === 'IPTABLES' && !(IPTABLES_MODES as readonly string[]).includes(variable.value)) {
        ctx.addIssue({ code: 'custom', path: ['env', index, 'value'], message: `IPTABLES must be ${IPTABLES_MODES.join(', ')}; got "${variable.value}"` });
      }
    });
  });
export type NetworkManagerTemplate = z.infer<typeof networkManagerTemplateSchema>;

/** A valid operator configuration with the templates it references, and the digest of all of it. */
export interface SidecarTemplates {
  config: OperatorConfig;
  networkManager: NetworkManagerTemplate;
  /** sha256 of the canonical JSON of both: equal configurations, equal digests. */
  digest: string;
}

export interface OperatorConfigIssue {
  /** The ConfigMap key, e.g. network_manager_container_template.yaml */
  file: string;
  /** The field inside it, e.g. env[0].value ('' for the file itself). */
  field: string;
  message: string;
}

export type OperatorConfigResult = { ok: true; templates: SidecarTemplates } | { ok: false; issues: OperatorConfigIssue[] };

/** Parses the ConfigMap's data; an absent operator_config.yaml means every default. */
export function parseOperatorConfigMap(data: Readonly<Record<string, string>>): OperatorConfigResult {
  const config = parseFile(data, OPERATOR_CONFIG_FILE, operatorConfigSchema, true);
  if (!config.ok) return config;
  const templateFile = config.value.sidecar.networkManagerTemplate;
  const networkManager = parseFile(data, templateFile, networkManagerTemplateSchema, false);
  if (!networkManager.ok) return networkManager;
  const digest = createHash('sha256').update(canonicalJson({ config: config.value, networkManager: networkManager.value })).digest('hex');
  return { ok: true, templates: { config: config.value, networkManager: networkManager.value, digest } };
}

type FileResult<T> = { ok: true; value: T } | { ok: false; issues: OperatorConfigIssue[] };

function parseFile<T>(data: Readonly<Record<string, string>>, file: string, schema: z.ZodType<T>, optional: boolean): FileResult<T> {
  const text = data[file];
  if (text === undefined && !optional) return { ok: false, issues: [{ file, field: '', message: 'is missing from the ConfigMap' }] };
  let raw: unknown;
  try {
    raw = text === undefined ? {} : (parse(text) ?? {});
  } catch (error) {
    return { ok: false, issues: [{ file, field: '', message: `is not YAML: ${(error as Error).message.split('\n')[0] ?? ''}` }] };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((issue) => ({ file, field: fieldPath(issue.path), message: issue.message })) };
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`), '');
}

/** One line per issue, for status messages and Events: `network_manager_container_template.yaml env[0].value: …`. */
export function describeOperatorConfigIssues(issues: readonly OperatorConfigIssue[]): string {
  return issues.map((issue) => `${issue.file}${issue.field === '' ? '' : ` ${issue.field}`}: ${issue.message}`).join('; ');
}

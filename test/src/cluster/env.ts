// A container's environment as the kubelet builds it: envFrom, then env (values, fieldRefs,
// ConfigMap/Secret keys), with $(VAR) references expanded; plus the in-cluster API variables.
import type { ConfigMap, EnvVar, Pod, Secret } from './types.js';
import { configMapBytes, secretBytes } from './volumes.js';

export interface EnvSources {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
}

/** Thrown when a required ConfigMap, Secret or key is missing: the kubelet reports CreateContainerConfigError. */
export class ConfigError extends Error {}

const POD_FIELDS: Readonly<Record<string, (pod: Pod, podIp: string, hostIp: string) => string>> = {
  'metadata.name': (pod) => pod.metadata.name,
  'metadata.namespace': (pod) => pod.metadata.namespace,
  'metadata.uid': (pod) => pod.metadata.uid,
  'spec.nodeName': (pod) => pod.spec.nodeName ?? '',
  'spec.serviceAccountName': (pod) => pod.spec.serviceAccountName ?? '',
  'status.podIP': (_pod, podIp) => podIp,
  'status.podIPs': (_pod, podIp) => podIp,
  'status.hostIP': (_pod, _podIp, hostIp) => hostIp,
  'status.hostIPs': (_pod, _podIp, hostIp) => hostIp,
};

export function fieldValue(pod: Pod, path: string, podIp: string, hostIp: string): string {
  const label = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (label) return (label[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[label[2] ?? ''] ?? '';
  const field = POD_FIELDS[path];
  if (!field) throw new ConfigError(`unsupported fieldRef ${path}`);
  return field(pod, podIp, hostIp);
}

/** `$(NAME)` → value when defined; `$$(NAME)` → literal `$(NAME)`. */
export function expandReferences(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && env[name] !== undefined ? env[name] : match;
  });
}

export interface EnvContext {
  pod: Pod;
  podIp: string;
  hostIp: string;
  sources: EnvSources;
  base: Record<string, string>;
}

export function buildEnv(ctx: EnvContext, envFrom: Pod['spec']['containers'][number]['envFrom'], env: readonly EnvVar[] | undefined): Record<string, string> {
  const out: Record<string, string> = { ...ctx.base };
  const ns = ctx.pod.metadata.namespace;
  for (const from of envFrom ?? []) {
    const data = from.configMapRef ? lookupConfigMap(ctx, ns, from.configMapRef) : from.secretRef ? lookupSecret(ctx, ns, from.secretRef) : {};
    for (const [key, value] of Object.entries(data)) out[`${from.prefix ?? ''}${key}`] = value.toString('utf8');
  }
  for (const variable of env ?? []) {
    const value = resolveVar(ctx, variable, out);
    if (value !== undefined) out[variable.name] = value;
  }
  return out;
}

function resolveVar(ctx: EnvContext, variable: EnvVar, current: Record<string, string>): string | undefined {
  if (variable.value !== undefined) return expandReferences(variable.value, current);
  const from = variable.valueFrom;
  if (!from) return '';
  const ns = ctx.pod.metadata.namespace;
  if (from.fieldRef) return fieldValue(ctx.pod, from.fieldRef.fieldPath, ctx.podIp, ctx.hostIp);
  const ref = from.configMapKeyRef ?? from.secretKeyRef;
  if (!ref) return undefined;
  const data = from.configMapKeyRef ? lookupConfigMap(ctx, ns, ref) : lookupSecret(ctx, ns, ref);
  const value = data[ref.key];
  if (value === undefined && !ref.optional) throw new ConfigError(`couldn't find key ${ref.key} in ${from.configMapKeyRef ? 'ConfigMap' : 'Secret'} ${ns}/${ref.name}`);
  return value?.toString('utf8');
}

function lookupConfigMap(ctx: EnvContext, ns: string, ref: { name: string; optional?: boolean }): Record<string, Buffer> {
  const cm = ctx.sources.configMap(ns, ref.name);
  if (!cm && !ref.optional) throw new ConfigError(`configmap "${ref.name}" not found`);
  return cm ? configMapBytes(cm) : {};
}

function lookupSecret(ctx: EnvContext, ns: string, ref: { name: string; optional?: boolean }): Record<string, Buffer> {
  const secret = ctx.sources.secret(ns, ref.name);
  if (!secret && !ref.optional) throw new ConfigError(`secret "${ref.name}" not found`);
  return secret ? secretBytes(secret) : {};
}

// ConfigMap, Secret, downward API and projected (service-account token) volumes as files, written
// the way the kubelet's atomic writer does: the payload goes into a fresh `..<timestamp>` directory,
// `..data` is a symlink swapped to it with one rename, and each key is a symlink `key → ..data/key`.
// A reader therefore never sees half an update, and file watchers see one rename per change.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KeyToPath } from './types.js';

/** File path (relative to the volume) → content. */
export type Payload = Map<string, Buffer>;

const DATA_LINK = '..data';

/** Writes `payload` into `dir` unless it already holds exactly that; true when it changed. */
export function writeAtomically(dir: string, payload: Payload, mode = 0o644): boolean {
  mkdirSync(dir, { recursive: true });
  if (samePayload(dir, payload)) return false;
  const previous = existsSync(join(dir, DATA_LINK)) ? readlinkSync(join(dir, DATA_LINK)) : undefined;
  const version = `..${new Date().toISOString().replace(/[:.]/g, '_')}.${process.hrtime.bigint() % 1_000_000n}`;
  for (const [path, content] of payload) {
    mkdirSync(dirname(join(dir, version, path)), { recursive: true });
    writeFileSync(join(dir, version, path), content, { mode });
  }
  mkdirSync(join(dir, version), { recursive: true });
  symlinkSync(version, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, DATA_LINK));
  const topLevel = new Set([...payload.keys()].map((path) => path.split('/')[0] ?? path));
  for (const name of topLevel) {
    if (!existsSync(join(dir, name)) || !lstatSync(join(dir, name)).isSymbolicLink()) symlinkSync(join(DATA_LINK, name), join(dir, name));
  }
  for (const name of readdirSync(dir)) {
    if (name.startsWith('..')) continue;
    if (!topLevel.has(name)) rmSync(join(dir, name), { force: true, recursive: true });
  }
  if (previous && previous !== version) rmSync(join(dir, previous), { recursive: true, force: true });
  return true;
}

function samePayload(dir: string, payload: Payload): boolean {
  if (!existsSync(join(dir, DATA_LINK))) return false;
  const current = join(dir, readlinkSync(join(dir, DATA_LINK)));
  const files = listFiles(current);
  if (files.length !== payload.size) return false;
  for (const [path, content] of payload) {
    if (!existsSync(join(current, path)) || !readFileSync(join(current, path)).equals(content)) return false;
  }
  return true;
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(join(dir, entry.name), rel));
    else out.push(rel);
  }
  return out;
}

/** The files of a ConfigMap/Secret source: every key, or only `items` (renamed). Missing keys throw. */
export function selectKeys(data: Record<string, Buffer>, items: readonly KeyToPath[] | undefined, source: string): Payload {
  const payload: Payload = new Map();
  if (!items || items.length === 0) {
    for (const [key, value] of Object.entries(data)) payload.set(key, value);
    return payload;
  }
  for (const item of items) {
    const value = data[item.key];
    if (value === undefined) throw new Error(`${source} has no key "${item.key}"`);
    payload.set(item.path, value);
  }
  return payload;
}

/** ConfigMap `data` (text) and `binaryData` (base64) as bytes. */
export function configMapBytes(cm: { data?: Record<string, string>; binaryData?: Record<string, string> }): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(cm.data ?? {})) out[k] = Buffer.from(v, 'utf8');
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

/** Secret `data` (base64) as bytes. */
export function secretBytes(secret: { data?: Record<string, string>; stringData?: Record<string, string> }): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

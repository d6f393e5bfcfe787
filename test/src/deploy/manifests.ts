// The RBAC files of deploy/base/rbac/, one per service, as plain objects.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../toolchain/paths.js';

export const SERVICES = ['watcher', 'renderer', 'ca', 'deployer'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

export function rbacFile(service: ServiceName): string {
  return join(repoRoot(), 'deploy', 'base', 'rbac', `${service}.yaml`);
}

export function rbacManifests(service: ServiceName): Manifest[] {
  return parseAllDocuments(readFileSync(rbacFile(service), 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${rbacFile(service)}: ${doc.errors[0]?.message}`);
    return doc.toJS() as Manifest;
  });
}

// Mount points on the host file system. A container sees its volumes at their mountPath through a
// bind mount in its private mount namespace, and a bind mount needs an existing directory (or
// file) to sit on; when the path does not exist on the host, the agent creates it. What it created
// is removed again when the last Pod using it is gone, and only while it is still empty: several
// Pods (the replicas of a Deployment) share the same paths.
import { closeSync, existsSync, mkdirSync, openSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

interface Created {
  /** The mount point itself. */
  path: string;
  file: boolean;
  users: number;
}

export class MountPoints {
  private readonly created = new Map<string, Created>();
  /** Every directory the agent created, so parents shared by several mount points go last. */
  private readonly createdDirs = new Set<string>();

  /** Makes sure `path` exists, creating it (and its missing parents) if needed; returns a release. */
  acquire(path: string, file: boolean): () => void {
    const known = this.created.get(path);
    if (known) {
      known.users++;
      return () => this.release(path);
    }
    if (existsSync(path)) return () => undefined;
    const directory = resolve(file ? dirname(path) : path);
    const first = mkdirSync(directory, { recursive: true });
    if (first) {
      for (let dir = directory; dir.startsWith(resolve(first)); dir = dirname(dir)) this.createdDirs.add(dir);
    }
    if (file) closeSync(openSync(path, 'a'));
    this.created.set(path, { path, file, users: 1 });
    return () => this.release(path);
  }

  private release(path: string): void {
    const entry = this.created.get(path);
    if (!entry || --entry.users > 0) return;
    this.created.delete(path);
    try {
      if (entry.file && statSync(entry.path).size === 0) unlinkSync(entry.path);
    } catch {
      // Already gone.
    }
    // Up from the mount point through the directories we created, each only while empty.
    for (let dir = resolve(entry.file ? dirname(entry.path) : entry.path); this.createdDirs.has(dir); dir = dirname(dir)) {
      try {
        rmdirSync(dir);
      } catch {
        return;
      }
      this.createdDirs.delete(dir);
    }
  }
}

// A cross-process lock per tool, so two concurrent runs (two terminals, or `npm test` in two
// worktrees sharing the cache) build a tool once: the second waits and then finds it complete.
//
// The lock is a directory `<cache>/.lock-<tool>` (mkdir is atomic) holding `owner.json`
// ({pid, host, since}). A lock whose owner died (killed build, reboot) is stolen.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { formatDuration } from './format.js';

const ownerSchema = z.object({ pid: z.number().int().positive(), host: z.string(), since: z.number() });
export type LockOwner = z.infer<typeof ownerSchema>;

/** Past this age a lock is stale whoever holds it: its pid was reused, or it lives on another host. */
export const MAX_LOCK_AGE_MS = 6 * 60 * 60 * 1000;
/** mkdir and the owner file are not one step; a lock without owner younger than this is being created. */
export const OWNERLESS_GRACE_MS = 30_000;

export interface LockFacts {
  owner: LockOwner | undefined;
  /** Age of the lock directory (its mtime). */
  ageMs: number;
  host: string;
  isAlive: (pid: number) => boolean;
}

export type LockVerdict = 'held' | 'stale';

export function judgeLock(facts: LockFacts): LockVerdict {
  if (facts.ageMs > MAX_LOCK_AGE_MS) return 'stale';
  const { owner } = facts;
  if (!owner) return facts.ageMs > OWNERLESS_GRACE_MS ? 'stale' : 'held';
  // A pid from another machine (a cache on a shared home directory) cannot be checked here.
  if (owner.host !== facts.host) return 'held';
  return facts.isAlive(owner.pid) ? 'held' : 'stale';
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ToolLock {
  dir: string;
  release(): Promise<void>;
}

export interface LockOptions {
  log: (line: string) => void;
  pollMs?: number;
  heartbeatMs?: number;
}

export function lockDir(root: string, tool: string): string {
  return join(root, `.lock-${tool}`);
}

/** Waits until this process holds the lock of `tool`. */
export async function acquireToolLock(root: string, tool: string, opts: LockOptions): Promise<ToolLock> {
  const dir = lockDir(root, tool);
  const pollMs = opts.pollMs ?? 1000;
  const heartbeatMs = opts.heartbeatMs ?? 20_000;
  const waitStarted = Date.now();
  let lastNotice = 0;
  await mkdir(root, { recursive: true });
  for (;;) {
    if (await tryCreate(dir)) return { dir, release: () => releaseLock(dir) };
    const facts = await readFacts(dir);
    if (!facts) continue; // vanished between mkdir and stat: try again at once
    if (judgeLock(facts) === 'stale') {
      opts.log(`${tool}: removing a stale lock${facts.owner ? ` left by pid ${facts.owner.pid}` : ''}`);
      await stealLock(dir, facts.owner);
      continue;
    }
    if (Date.now() - lastNotice >= heartbeatMs) {
      lastNotice = Date.now();
      const who = facts.owner ? `pid ${facts.owner.pid} on ${facts.owner.host}` : 'another run';
      opts.log(`${tool}: waiting for ${who} to finish provisioning it… ${formatDuration(Date.now() - waitStarted)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

async function tryCreate(dir: string): Promise<boolean> {
  try {
    await mkdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  const owner: LockOwner = { pid: process.pid, host: hostname(), since: Date.now() };
  // Write then rename, so a reader never sees half an owner file.
  await writeFile(join(dir, 'owner.json.tmp'), JSON.stringify(owner));
  await rename(join(dir, 'owner.json.tmp'), join(dir, 'owner.json'));
  return true;
}

async function readOwner(dir: string): Promise<LockOwner | undefined> {
  try {
    const parsed = ownerSchema.safeParse(JSON.parse(await readFile(join(dir, 'owner.json'), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function readFacts(dir: string): Promise<LockFacts | undefined> {
  try {
    const info = await stat(dir);
    return { owner: await readOwner(dir), ageMs: Date.now() - info.mtimeMs, host: hostname(), isAlive: isProcessAlive };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Moves the stale lock aside (rename is atomic: of two stealers only one succeeds). If, between our
 * look and the rename, a third run had already replaced the stale lock with a live one, we put it back.
 */
async function stealLock(dir: string, seen: LockOwner | undefined): Promise<void> {
  const aside = `${dir}.stale-${process.pid}-${Date.now()}`;
  try {
    await rename(dir, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await readOwner(aside);
  if (moved && moved.pid !== seen?.pid && isProcessAlive(moved.pid)) {
    await rename(aside, dir).catch(() => undefined);
    return;
  }
  await rm(aside, { recursive: true, force: true });
}

async function releaseLock(dir: string): Promise<void> {
  const owner = await readOwner(dir);
  if (owner?.pid === process.pid && owner.host === hostname()) await rm(dir, { recursive: true, force: true });
}

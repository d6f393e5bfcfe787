import { createHash } from 'node:crypto';

/**
 * digestOf (publish/output.ts) over many `<key> <digest>` lines that change a few at a time: the
 * lines are kept sorted by key in chunks whose joined text is kept, so a render re-joins the chunks
 * that changed and hashes the rest as it is, instead of sorting and joining 10,000 lines.
 *
 * Sorting by key sorts the lines alike: keys are distinct, and KV keys hold no character below the
 * space that separates key and digest, so a key that is a prefix of another sorts first either way.
 */

const CHUNK = 128;
/** Above this many pending changes, re-sort everything (a first render) instead of inserting one by one. */
const BULK = 64;

function sortedIndex(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as string) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

export class SortedDigest {
  private keys: string[] = [];
  private readonly lines = new Map<string, string>();
  private chunks: (string | undefined)[] = [];
  /** Keys set or deleted since the last digest (their lines are in `lines` or gone from it). */
  private readonly pending = new Set<string>();
  /** The last digest and the extra lines it was computed with. */
  private last: { extra: string; digest: string } | undefined;

  get size(): number {
    return this.lines.size;
  }

  set(key: string, digest: string): void {
    const line = `${key} ${digest}`;
    if (this.lines.get(key) === line) return;
    this.lines.set(key, line);
    this.pending.add(key);
  }

  delete(key: string): void {
    if (this.lines.delete(key)) this.pending.add(key);
  }

  clear(): void {
    this.keys = [];
    this.lines.clear();
    this.chunks = [];
    this.pending.clear();
    this.last = undefined;
  }

  /**
   * sha256 of every line plus `extra` (other `<key> <digest>` lines, not kept) in sorted order,
   * joined by newlines: exactly digestOf of all of them.
   */
  digest(extra: readonly string[]): string {
    const extras = [...extra].sort();
    const extraKey = extras.join('\n');
    if (this.pending.size === 0 && this.last?.extra === extraKey) return this.last.digest;
    this.settle();
    const hash = createHash('sha256');
    let first = true;
    const write = (text: string): void => {
      if (!first) hash.update('\n');
      hash.update(text);
      first = false;
    };
    let e = 0;
    for (let c = 0; c * CHUNK < this.keys.length; c++) {
      const from = c * CHUNK;
      const to = Math.min(from + CHUNK, this.keys.length);
      const last = this.line(to - 1);
      if (e < extras.length && (extras[e] as string) < last) {
        // An extra line falls before or inside this chunk: merge line by line (a handful of lines in all).
        for (let i = from; i < to; i++) {
          const line = this.line(i);
          while (e < extras.length && (extras[e] as string) < line) write(extras[e++] as string);
          write(line);
        }
        continue;
      }
      let text = this.chunks[c];
      if (text === undefined) {
        const lines: string[] = [];
        for (let i = from; i < to; i++) lines.push(this.line(i));
        this.chunks[c] = text = lines.join('\n');
      }
      write(text);
    }
    while (e < extras.length) write(extras[e++] as string);
    this.last = { extra: extraKey, digest: `sha256:${hash.digest('hex')}` };
    return this.last.digest;
  }

  private line(i: number): string {
    return this.lines.get(this.keys[i] as string) as string;
  }

  /** Brings `keys` and the kept chunks up to date with the pending changes. */
  private settle(): void {
    if (this.pending.size === 0) return;
    if (this.pending.size > BULK) {
      this.keys = [...this.lines.keys()].sort();
      this.chunks = [];
    } else {
      for (const key of this.pending) {
        const at = sortedIndex(this.keys, key);
        const present = this.keys[at] === key;
        if (this.lines.has(key)) {
          if (present) this.chunks[Math.floor(at / CHUNK)] = undefined;
          else this.insertAt(at, key);
        } else if (present) this.removeAt(at);
      }
    }
    this.pending.clear();
  }

  /** Every chunk from the one holding `at` on shifts by one line. */
  private insertAt(at: number, key: string): void {
    this.keys.splice(at, 0, key);
    this.chunks.length = Math.min(this.chunks.length, Math.floor(at / CHUNK));
  }

  private removeAt(at: number): void {
    this.keys.splice(at, 1);
    this.chunks.length = Math.min(this.chunks.length, Math.floor(at / CHUNK));
  }
}

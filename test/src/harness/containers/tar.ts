// A minimal streaming ustar writer: the Docker API takes tar archives for `docker import` and
// for copying files into a container, and the harness must not depend on a host `tar` or read a
// 150 MB Envoy binary into memory.
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';

export type TarEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; mode?: number; content: string | Buffer }
  /** A file of the host, streamed (symlinks followed): stored under `path`. */
  | { type: 'hostFile'; path: string; mode?: number; source: string };

const BLOCK = 512;

export function tarStream(entries: TarEntry[]): Readable {
  return Readable.from(tarChunks(entries));
}

export async function tarBuffer(entries: TarEntry[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarChunks(entries)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* tarChunks(entries: TarEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    if (entry.type === 'dir') {
      yield tarHeader({ path: `${trimSlashes(entry.path)}/`, mode: entry.mode ?? 0o755, size: 0, typeflag: '5' });
    } else if (entry.type === 'file') {
      const content = typeof entry.content === 'string' ? Buffer.from(entry.content) : entry.content;
      yield tarHeader({ path: trimSlashes(entry.path), mode: entry.mode ?? 0o644, size: content.length, typeflag: '0' });
      yield content;
      yield padding(content.length);
    } else {
      const size = statSync(entry.source).size;
      yield tarHeader({ path: trimSlashes(entry.path), mode: entry.mode ?? 0o755, size, typeflag: '0' });
      let written = 0;
      for await (const chunk of createReadStream(entry.source)) {
        written += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      if (written !== size) throw new Error(`${entry.source} changed size while being archived`);
      yield padding(size);
    }
  }
  yield Buffer.alloc(2 * BLOCK); // end of archive
}

interface Header {
  path: string;
  mode: number;
  size: number;
  typeflag: '0' | '5';
}

/** One 512-byte ustar header (POSIX.1-1988); long paths are split into prefix and name. */
export function tarHeader(header: Header): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { prefix, name } = splitPath(header.path);
  block.write(name, 0, 100, 'utf8');
  writeOctal(block, header.mode, 100, 8);
  writeOctal(block, 0, 108, 8); // uid: root
  writeOctal(block, 0, 116, 8); // gid: root
  writeOctal(block, header.size, 124, 12);
  writeOctal(block, 0, 136, 12); // mtime: fixed, so an image's content does not depend on when it was built
  block.fill(' ', 148, 156); // checksum field counts as spaces while summing
  block.write(header.typeflag, 156, 1, 'ascii');
  block.write('ustar\u000000', 257, 8, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return block;
}

function splitPath(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let cut = path.indexOf('/'); cut !== -1; cut = path.indexOf('/', cut + 1)) {
    const prefix = path.slice(0, cut);
    const name = path.slice(cut + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { prefix, name };
  }
  throw new Error(`path too long for a ustar archive: ${path}`);
}

function writeOctal(block: Buffer, value: number, offset: number, length: number): void {
  const digits = value.toString(8);
  if (digits.length > length - 1) throw new Error(`value ${value} does not fit a ${length}-byte tar field`);
  block.write(`${digits.padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}

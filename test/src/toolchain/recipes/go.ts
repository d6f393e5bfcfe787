// Shared by the Go recipes: a throwaway wrapper module to resolve and build a pinned module in.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Static binaries with reproducible paths. An inherited GOFLAGS (say `-mod=vendor`) would change
 * what the wrapper module builds, so it is dropped.
 */
export const GO_BUILD_ENV: Record<string, string | undefined> = { CGO_ENABLED: '0', GOFLAGS: undefined };

/** The `go` line is a floor: a newer Go builds it, an older one fetches a toolchain (GOTOOLCHAIN=auto). */
export async function writeWrapperModule(dir: string, name: string): Promise<void> {
  await writeFile(join(dir, 'go.mod'), `module mgw.local/${name}\n\ngo 1.26\n`);
}

const modDownloadSchema = z.object({ Path: z.string(), Version: z.string(), Dir: z.string().optional(), Error: z.string().optional() });

/** The source directory from `go mod download -json <module>@<version>`. */
export function parseModDownload(json: string): string {
  const parsed = modDownloadSchema.parse(JSON.parse(json));
  if (parsed.Error) throw new Error(`go mod download ${parsed.Path}@${parsed.Version}: ${parsed.Error}`);
  if (!parsed.Dir) throw new Error(`go mod download ${parsed.Path}@${parsed.Version} reported no directory`);
  return parsed.Dir;
}

// The `.complete` marker: written last into a tool directory, only after the tool was verified.
// scripts/run.sh writes the same JSON for node (without `seconds`), so both writers agree on
// `tool` and `version`, which is all a reader relies on.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { COMPLETE_MARKER } from './paths.js';

export const markerSchema = z.object({
  tool: z.string(),
  version: z.string(),
  finishedAt: z.string(),
  seconds: z.number().optional(),
});
export type CompleteMarker = z.infer<typeof markerSchema>;

/** True when `text` is a marker for exactly this tool and version. */
export function markerMatches(text: string, tool: string, version: string): boolean {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return false;
  }
  const parsed = markerSchema.safeParse(raw);
  return parsed.success && parsed.data.tool === tool && parsed.data.version === version;
}

export function isComplete(dir: string, tool: string, version: string): boolean {
  const path = join(dir, COMPLETE_MARKER);
  if (!existsSync(path)) return false;
  return markerMatches(readFileSync(path, 'utf8'), tool, version);
}

export function markerJson(tool: string, version: string, finishedAt: Date, seconds: number): string {
  const marker: CompleteMarker = { tool, version, finishedAt: finishedAt.toISOString(), seconds: Math.round(seconds * 10) / 10 };
  return `${JSON.stringify(marker)}\n`;
}

// Progress lines of the container backend go to stderr: installing Docker or importing an image
// takes long enough that a silent test run would look hung.

export function info(message: string): void {
  process.stderr.write(`[mgw containers] ${message}\n`);
}

/** Runs `work` and logs how long it took ("docker image import: 4.2s"). */
export async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  info(`${what}: ${((performance.now() - started) / 1000).toFixed(1)}s`);
  return result;
}

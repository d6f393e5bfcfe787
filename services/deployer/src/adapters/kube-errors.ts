/** The HTTP status of a client-node ApiException (undefined for network errors). */
export function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusCode(error) === 404;
}

export function isConflict(error: unknown): boolean {
  return statusCode(error) === 409;
}

/** Errors worth retrying: the apiserver unreachable, throttling, timeouts, server errors, conflicts. */
export function isRetryable(error: unknown): boolean {
  const code = statusCode(error);
  return code === undefined || code === 409 || code === 429 || code >= 500;
}

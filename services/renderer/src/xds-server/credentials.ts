import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import { ServerCredentials } from '@grpc/grpc-js';
import type { Logger } from '@microgateway/runtime';

/**
 * The xDS server's mutual-TLS credentials, reloaded when the ca renews the serving certificate.
 *
 * The renderer has no Kubernetes rights: its serving Secret (written by the ca) is mounted as a
 * directory with `tls.crt`, `tls.key` and `ca.crt`, which the kubelet swaps atomically on renewal.
 * grpc-js's own file-watcher credentials cannot require TLS 1.3, so this subclass hands the
 * server a secure context of its own and pushes a new one to the running server on every change.
 */

export interface ServingFiles {
  cert: string;
  key: string;
  ca: string;
}

export function servingFiles(dir: string): ServingFiles {
  return { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key'), ca: join(dir, 'ca.crt') };
}

const TLS13 = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;

export class ReloadingMtlsCredentials extends ServerCredentials {
  private timer: NodeJS.Timeout | undefined;
  private loaded = '';

  private constructor(
    private readonly files: ServingFiles,
    initial: SecureContextOptions,
    fingerprint: string,
    private readonly logger: Logger,
  ) {
    // Constructor options apply to the server itself: ask for a client certificate and refuse the
    // handshake without a valid one (a client without a certificate cannot connect at all).
    super({ requestCert: true, rejectUnauthorized: true, ...TLS13 }, initial);
    this.loaded = fingerprint;
  }

  /** Reads the files once; throws (with the file) when they are missing or unreadable. */
  static async load(dir: string, logger: Logger): Promise<ReloadingMtlsCredentials> {
    const files = servingFiles(dir);
    const { options, fingerprint } = await readContext(files);
    return new ReloadingMtlsCredentials(files, options, fingerprint, logger);
  }

  /** Re-reads the files every `intervalMs`; a changed certificate reaches new handshakes at once. */
  watch(intervalMs: number, onReload: () => void): void {
    this.timer = setInterval(() => void this.reload(onReload), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async reload(onReload: () => void): Promise<void> {
    try {
      const { options, fingerprint } = await readContext(this.files);
      if (fingerprint === this.loaded) return;
      this.loaded = fingerprint;
      this.updateSecureContextOptions(options);
      this.logger.info({ cert: this.files.cert }, 'xDS serving certificate reloaded');
      onReload();
    } catch (error) {
      // Mid-swap reads can fail or mix files; the next tick reads a consistent set.
      this.logger.warn({ err: error, cert: this.files.cert }, 'could not reload the xDS serving certificate; keeping the current one');
    }
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

async function readContext(files: ServingFiles): Promise<{ options: SecureContextOptions; fingerprint: string }> {
  const [cert, key, ca] = await Promise.all([readFile(files.cert), readFile(files.key), readFile(files.ca)]);
  return { options: { cert, key, ca, ...TLS13 }, fingerprint: `${cert.toString('base64')}|${ca.toString('base64')}` };
}

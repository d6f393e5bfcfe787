// Certificates for xDS tests, made by the ca service's own pki code (the same functions the ca
// runs), written out the way the kubelet mounts the Secrets: one file per Secret key.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayRef, InstanceName } from '@microgateway/contracts';
import type { CertificateAuthority, KeyPairPem } from '@microgateway/ca/pki';
import { bootstrapSecret, buildCaCertificate, signEngineCertificate, signServingCertificate } from '@microgateway/ca/pki';

const DAY_MS = 24 * 3_600_000;

function ecKeys(): KeyPairPem {
  const { publicKey, privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

function validity(): { notBefore: Date; lifetimeMs: number } {
  return { notBefore: new Date(Date.now() - 60_000), lifetimeMs: DAY_MS };
}

export class TestPki {
  readonly ca: CertificateAuthority;

  constructor(
    readonly instance: InstanceName,
    private readonly dir: string,
  ) {
    const keys = ecKeys();
    const certificatePem = buildCaCertificate({ instance, keys, validity: validity(), random: randomBytes });
    this.ca = { certificatePem, privateKeyPem: keys.privateKeyPem };
  }

  /** The renderer's serving Secret as a mounted directory (`tls.crt`, `tls.key`, `ca.crt`). */
  servingDir(dnsNames: readonly string[], name = 'serving'): string {
    const keys = ecKeys();
    const cert = signServingCertificate({ ca: this.ca, dnsNames, publicKeyPem: keys.publicKeyPem, validity: validity(), random: randomBytes });
    const dir = join(this.dir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'tls.crt'), cert);
    writeFileSync(join(dir, 'tls.key'), keys.privateKeyPem);
    writeFileSync(join(dir, 'ca.crt'), this.ca.certificatePem);
    return dir;
  }

  /** A Gateway's bootstrap Secret as the Engine mounts it; the SDS files point into the directory itself. */
  bootstrapDir(gateway: GatewayRef, xdsServerNames: readonly string[]): string {
    const dir = join(this.dir, `bootstrap-${gateway.namespace}-${gateway.name}`);
    const keys = ecKeys();
    const certificatePem = signEngineCertificate({ ca: this.ca, instance: this.instance, gateway, publicKeyPem: keys.publicKeyPem, validity: validity(), random: randomBytes });
    const secret = bootstrapSecret(
      this.instance,
      { ...gateway, uid: 'test-uid' },
      { certificatePem, privateKeyPem: keys.privateKeyPem, caBundlePem: this.ca.certificatePem },
      { mountPath: dir, xdsServerNames },
    );
    mkdirSync(dir, { recursive: true });
    for (const [key, value] of Object.entries(secret.stringData)) writeFileSync(join(dir, key), value);
    return dir;
  }

  /** A client key pair and certificate for a Gateway, as PEM (for lightweight gRPC clients). */
  engineCredentials(gateway: GatewayRef): { cert: string; key: string; ca: string } {
    const keys = ecKeys();
    const cert = signEngineCertificate({ ca: this.ca, instance: this.instance, gateway, publicKeyPem: keys.publicKeyPem, validity: validity(), random: randomBytes });
    return { cert, key: keys.privateKeyPem, ca: this.ca.certificatePem };
  }
}

import type { IrSecret } from '@microgateway/contracts';
import { XDS_TYPE_URLS } from '@microgateway/contracts';
import type { EnvoyResource } from './types.js';

/** A listener certificate as an SDS Secret; proto3 JSON carries `bytes` as base64, which is how Kubernetes stores them. */
export function buildSecret(secret: IrSecret): EnvoyResource {
  return {
    '@type': XDS_TYPE_URLS.secret,
    name: secret.name,
    tls_certificate: { certificate_chain: { inline_bytes: secret.certificateChain }, private_key: { inline_bytes: secret.privateKey } },
  };
}

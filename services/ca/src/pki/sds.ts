import {
  BOOTSTRAP_CA_KEY,
  BOOTSTRAP_CERT_KEY,
  BOOTSTRAP_KEY_KEY,
  ENGINE_CA_SDS_SECRET,
  ENGINE_TLS_SDS_SECRET,
} from '@microgateway/contracts';

/**
 * The Envoy SDS files of a bootstrap Secret. Envoy's static bootstrap points its xDS cluster's TLS
 * context at these files (`sds_config.path_config_source` with `watched_directory` = the mount
 * directory); they name the certificate files next to them, so when the kubelet swaps the Secret's
 * files after a renewal, Envoy reloads the certificate without a restart.
 */

export const SDS_SECRET_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';

function join(dir: string, file: string): string {
  return `${dir.replace(/\/+$/, '')}/${file}`;
}

/** The `tls_certificate` SDS file: the Engine's client certificate and key. */
export function tlsCertificateSds(mountPath: string): string {
  const document = {
    resources: [
      {
        '@type': SDS_SECRET_TYPE,
        name: ENGINE_TLS_SDS_SECRET,
        tls_certificate: {
          certificate_chain: { filename: join(mountPath, BOOTSTRAP_CERT_KEY) },
          private_key: { filename: join(mountPath, BOOTSTRAP_KEY_KEY) },
        },
      },
    ],
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * The `validation_context` SDS file: the CA bundle, and the DNS names the xDS server must present.
 * Engine certificates come from the same CA, so trusting the CA alone would let one Engine's key
 * impersonate the xDS server to the others; the SAN match closes that.
 */
export function validationContextSds(mountPath: string, xdsServerNames: readonly string[]): string {
  const document = {
    resources: [
      {
        '@type': SDS_SECRET_TYPE,
        name: ENGINE_CA_SDS_SECRET,
        validation_context: {
          trusted_ca: { filename: join(mountPath, BOOTSTRAP_CA_KEY) },
          match_typed_subject_alt_names: xdsServerNames.map((name) => ({ san_type: 'DNS', matcher: { exact: name } })),
        },
      },
    ],
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

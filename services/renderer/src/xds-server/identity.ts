import type { PeerCertificate } from 'node:tls';
import type { EngineIdentity, GatewayRef, InstanceName } from '@microgateway/contracts';
import { parseEngineNodeId, parseSpiffeId } from '@microgateway/contracts';

/**
 * Who an xDS client is: the Engine identity in its verified client certificate (URI SAN), never
 * what it says about itself. The TLS layer has already verified the chain against the instance CA.
 */

export type Authorization = { ok: true; identity: EngineIdentity } | { ok: false; reason: string };

/** The SPIFFE URIs of a certificate's subjectAltName (`URI:spiffe://…, DNS:…`). */
export function uriSans(certificate: Pick<PeerCertificate, 'subjectaltname'> | undefined): string[] {
  const san = certificate?.subjectaltname ?? '';
  return san
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice('URI:'.length));
}

/** The Engine identity of a peer certificate, when it names exactly one Gateway of this instance. */
export function engineIdentityOf(certificate: Pick<PeerCertificate, 'subjectaltname'> | undefined, instance: InstanceName): Authorization {
  const uris = uriSans(certificate);
  if (uris.length !== 1) return { ok: false, reason: `the client certificate must carry exactly one URI SAN, it has ${uris.length}` };
  let identity: EngineIdentity;
  try {
    identity = parseSpiffeId(uris[0] ?? '');
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  if (identity.instance !== instance) return { ok: false, reason: `the client certificate belongs to instance ${identity.instance}, not ${instance}` };
  return { ok: true, identity };
}

/** A node id must name the certificate's Gateway: asking for another Gateway's config gets nothing. */
export function authorizeNode(identity: EngineIdentity, nodeId: string | undefined): Authorization {
  const node = parseEngineNodeId(nodeId ?? '');
  if (node === undefined) return { ok: false, reason: `node id ${JSON.stringify(nodeId ?? '')} is not <namespace>/<gateway>/<pod>` };
  if (!sameGateway(node.gateway, identity.gateway)) {
    return {
      ok: false,
      reason: `node ${JSON.stringify(nodeId)} asks for Gateway ${node.gateway.namespace}/${node.gateway.name}, the certificate is for ${identity.gateway.namespace}/${identity.gateway.name}`,
    };
  }
  return { ok: true, identity };
}

function sameGateway(a: GatewayRef, b: GatewayRef): boolean {
  return a.namespace === b.namespace && a.name === b.name;
}

// Requests to a real apiserver as a service account, through the admin's impersonation rights
// (Impersonate-User/-Group headers), and SubjectAccessReviews for the same identity. RBAC decides
// both: the admin (system:masters) only lends its connection, never its rights.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeControlPlane } from '../harness/index.js';

export const SYSTEM_NAMESPACE = 'microgateway-system';

/** The identity a Pod running as the service account presents (the groups the token authenticator adds). */
export interface Subject {
  user: string;
  groups: string[];
}

export function serviceAccountSubject(serviceAccount: string, namespace = SYSTEM_NAMESPACE): Subject {
  return {
    user: `system:serviceaccount:${namespace}:${serviceAccount}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

export interface ApiResponse {
  status: number;
  body: string;
}

export interface ApiRequest {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
}

const RETRIES_WHILE_INITIALIZING = 20;

/**
 * One HTTP request; `as` impersonates a subject, without it the admin asks. A 429 is retried: the
 * apiserver answers that while the storage of a just-established CRD is still initializing.
 */
export async function apiRequest(kube: KubeControlPlane, r: ApiRequest, as?: Subject): Promise<ApiResponse> {
  for (let attempt = 1; ; attempt++) {
    const response = await send(kube, r, as);
    if (response.status !== 429 || attempt >= RETRIES_WHILE_INITIALIZING) return response;
    await sleep(500);
  }
}

function send(kube: KubeControlPlane, r: ApiRequest, as?: Subject): Promise<ApiResponse> {
  const payload = r.body === undefined ? undefined : JSON.stringify(r.body);
  const headers: Record<string, string | string[]> = { authorization: `Bearer ${kube.adminToken}`, accept: 'application/json' };
  if (payload !== undefined) headers['content-type'] = r.contentType ?? 'application/json';
  if (as) {
    headers['impersonate-user'] = as.user;
    headers['impersonate-group'] = as.groups;
  }
  return new Promise((resolve, reject) => {
    const req = request(`${kube.server}${r.path}`, { method: r.method, headers, ca: readFileSync(kube.caPath), timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${r.method} ${r.path}: no answer within 30 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** The apiserver's authorization decision for `subject` (a SubjectAccessReview posted by the admin). */
export async function accessReview(kube: KubeControlPlane, subject: Subject, attributes: ResourceAttributes): Promise<{ allowed: boolean; reason: string }> {
  const res = await apiRequest(kube, {
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: subject.user, groups: subject.groups, resourceAttributes: attributes } },
  });
  if (res.status !== 201) throw new Error(`SubjectAccessReview: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
  const review = JSON.parse(res.body) as { status?: { allowed?: boolean; reason?: string } };
  return { allowed: review.status?.allowed === true, reason: review.status?.reason ?? '' };
}

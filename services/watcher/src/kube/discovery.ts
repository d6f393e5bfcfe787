import { API_GROUP } from '@microgateway/contracts';
import type { DiscoveredResource, WatchedKind } from '../core/kinds.js';
import { microgatewayKinds } from '../core/kinds.js';
import type { KubeHttp } from './http.js';
import { KubeHttpError } from './http.js';

interface ApiGroup {
  preferredVersion?: { version?: string };
}

interface ApiResourceList {
  resources?: DiscoveredResource[];
}

/** The microgateway.dev kinds the API server serves now (none until the CRDs are installed). */
export async function discoverMicrogatewayKinds(http: KubeHttp, signal?: AbortSignal): Promise<WatchedKind[]> {
  let group: ApiGroup;
  try {
    group = await http.json<ApiGroup>('GET', `/apis/${API_GROUP}`, undefined, signal);
  } catch (error) {
    if (error instanceof KubeHttpError && error.status === 404) return [];
    throw error;
  }
  const version = group.preferredVersion?.version;
  if (!version) return [];
  const list = await http.json<ApiResourceList>('GET', `/apis/${API_GROUP}/${version}`, undefined, signal);
  return microgatewayKinds(version, list.resources ?? []);
}

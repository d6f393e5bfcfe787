export type { GatewayTranslation, TranslateOptions } from './translate.js';
export { ownedClass, translateAll, translateGateway, translateGatewayClass } from './translate.js';
export type { RejectedObject, Resources } from './resources.js';
export { emptyResources, ResourceIndex, resourcesFromObjects } from './resources.js';
export type { EnvoyResource, EnvoyResources } from './xds/index.js';
export { INVALID_BACKEND_CLUSTER, toEnvoy } from './xds/index.js';

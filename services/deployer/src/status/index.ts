/**
 * The deployer's status merge (pure core): from the services' status facts (KV `status`), the
 * Engine's xDS outcome and the deployer's own observation of the Engine, the `status` to write
 * on GatewayClasses, Gateways and HTTPRoutes — and whether writing it would change anything.
 */
export type { EngineObservation, DeploymentObservation, ServiceObservation, LoadBalancerIngress, XdsOutcome } from './inputs.js';
export type { GatewayStatusAddress } from './addresses.js';
export { gatewayAddresses, MAX_GATEWAY_ADDRESSES } from './addresses.js';
export { isForeignConditionType, kubeTime, mergeConditions } from './conditions.js';
export type { GatewayClassStatusFact, GatewayStatusFact, HttpRouteStatusFact } from './facts.js';
export type { ProgrammedVerdict, EngineFacts } from './programmed.js';
export { engineVerdict } from './programmed.js';
export type { GatewayStatusInput } from './gateway.js';
export { gatewayStatus } from './gateway.js';
export type { GatewayClassStatus, GatewayClassStatusInput } from './gatewayclass.js';
export { gatewayClassStatus } from './gatewayclass.js';
export type { HttpRouteStatus, HttpRouteStatusInput } from './httproute.js';
export { httpRouteStatus, MAX_ROUTE_PARENTS, parentKey } from './httproute.js';
export { statusChanged } from './changed.js';

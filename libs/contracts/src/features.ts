/**
 * The Gateway API features this implementation supports (GatewayClass `status.supportedFeatures`):
 * the conformance suite reads them from the class and runs the matching tests, so every name here
 * is proven by the suite in CI (test/src/conformance). Sorted; names as the suite spells them.
 * Not claimed yet (see the closing notes of the conformance issue): HTTPRouteRequestMirror and
 * HTTPRouteRequestMultipleMirrors (the suite does not find the mirrored request in the backend's
 * logs on the local cluster), BackendProtocolH2C/WebSocket, CORS, Retry, GatewayStaticAddresses,
 * GatewayInfrastructure, TLSRoute and GRPCRoute.
 */
export const SUPPORTED_FEATURES: readonly string[] = [
  'Gateway',
  'GatewayHTTPListenerIsolation',
  'GatewayPort8080',
  'HTTPRoute',
  'HTTPRoute303RedirectStatusCode',
  'HTTPRoute307RedirectStatusCode',
  'HTTPRoute308RedirectStatusCode',
  'HTTPRouteBackendRequestHeaderModification',
  'HTTPRouteBackendTimeout',
  'HTTPRouteDestinationPortMatching',
  'HTTPRouteHostRewrite',
  'HTTPRouteMethodMatching',
  'HTTPRouteNamedRouteRule',
  'HTTPRouteParentRefPort',
  'HTTPRoutePathRedirect',
  'HTTPRoutePathRewrite',
  'HTTPRoutePortRedirect',
  'HTTPRouteQueryParamMatching',
  'HTTPRouteRequestTimeout',
  'HTTPRouteResponseHeaderModification',
  'HTTPRouteSchemeRedirect',
  'ReferenceGrant',
];

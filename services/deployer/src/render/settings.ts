import { z } from 'zod';
import { BOOTSTRAP_MOUNT_PATH, XDS_SERVER_PORT, instanceNameSchema, xdsServerHost } from '@microgateway/contracts';

/**
 * How the deployer renders every Engine of an instance: what the operator configures once, as
 * opposed to {@link GatewayInfra}, which is per Gateway. Parsed with zod so the golden inputs and
 * the service's configuration share one definition and the same defaults.
 */

export const DEFAULT_ENGINE_IMAGE = 'docker.io/envoyproxy/envoy:v1.40.0';
/** The Engine's user (shared with the sidecar's Network Manager, which exempts its traffic). */
export { ENGINE_UID } from '@microgateway/contracts';

/** The operator's Engine settings (the deployer's `deployer.engine` configuration section). */
export const engineSettingsSchema = z.strictObject({
    image: z.string().min(1).default(DEFAULT_ENGINE_IMAGE),
    imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
    /** The renderer Service Engines dial; `xdsServerHost(instance)` when absent. */
    xdsServerHost: z.string().min(1).optional(),
    /**
     * Where Engines connect, when not the name above (an IP, or a name the Engines' resolver
     * knows); the name above stays the TLS server name Engines verify.
     */
    xdsServerAddress: z.string().min(1).optional(),
    xdsServerPort: z.number().int().min(1).max(65535).default(XDS_SERVER_PORT),
    /** Must equal the ca's `bootstrap.mountPath`: the SDS files in the Secret name files under it. */
    bootstrapMountPath: z.string().startsWith('/').default(BOOTSTRAP_MOUNT_PATH),
    /** How long Envoy drains a listener that LDS removed or changed (`--drain-time-s`). */
    drainTimeSeconds: z.number().int().min(0).default(15),
    /**
     * A Pod being deleted keeps serving this long (preStop sleep) so Service endpoints and load
     * balancers stop sending to it before Envoy receives SIGTERM and closes its listeners.
     */
    shutdownDelaySeconds: z.number().int().min(0).default(10),
    terminationGracePeriodSeconds: z.number().int().min(1).default(30),
    /** Overload-manager cap on downstream connections per Engine Pod (Envoy warns when unbounded). */
    maxDownstreamConnections: z.number().int().min(1).default(50_000),
  });

export const renderSettingsSchema = engineSettingsSchema
  .extend({ instance: instanceNameSchema })
  .transform((s) => ({ ...s, xdsServerHost: s.xdsServerHost ?? xdsServerHost(s.instance) }));

export type RenderSettingsInput = z.input<typeof renderSettingsSchema>;
export type RenderSettings = z.output<typeof renderSettingsSchema>;

/** The settings with every default applied, e.g. `renderSettings({ instance: 'default' })`. */
export function renderSettings(input: RenderSettingsInput): RenderSettings {
  return renderSettingsSchema.parse(input);
}

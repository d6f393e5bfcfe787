/** The deployer's pure render core: a Gateway's infra description → its Engine's Kubernetes objects. */
export { renderEngine, engineObjectList } from './engine.js';
export { renderBootstrap, bootstrapText } from './bootstrap.js';
export { bootstrapChecksum } from './checksum.js';
export {
  BOOTSTRAP_CHECKSUM_ANNOTATION,
  ENGINE_COMPONENT,
  GEP_1762_GATEWAY_NAME_LABEL,
  engineLabels,
  engineObjectName,
  engineSelector,
} from './names.js';
export { ENGINE_CONFIG_DIR, ENGINE_CONFIG_KEY, ENGINE_CONTAINER, engineArgs } from './container.js';
export { DEFAULT_ENGINE_IMAGE, ENGINE_UID, engineSettingsSchema, renderSettings, renderSettingsSchema } from './settings.js';
export type { RenderSettings, RenderSettingsInput } from './settings.js';
export type * from './objects.js';

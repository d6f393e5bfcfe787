// The container backend of the harness: NATS and Envoy on a Docker engine through testcontainers.
// backend.ts imports this module only when the container backend is chosen, so the process
// backend never loads testcontainers.
export { containerBackendAllowed, containerRuntimeAvailable, ensureDockerEngine } from './engine.js';
export type { DockerEngine } from './engine.js';
export { containerImage, imageName, imageSource } from './images.js';
export type { ImageKind, ImageSource } from './images.js';
export { startNatsContainer } from './nats.js';
export { startEnvoyContainer, validateEnvoyConfigInContainer } from './envoy.js';
export { HARNESS_LABEL } from './labels.js';

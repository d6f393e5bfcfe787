// The toolchain: the pinned external binaries tests and `mgw dev` run, provisioned once per machine.
export * from './paths.js';
export type { ProvisionOptions, ProvisionReport, ToolOutcome, ToolReport, ToolStatus } from './provision.js';
export { BUILD_ORDER, missingTools, provision, ProvisionError, toolchainStatus } from './provision.js';
export { formatDuration } from './format.js';

/**
 * The Shakedown library: everything the CLI does, callable from code.
 */
export { type Clock, ManualClock, systemClock } from './core/clock.js';
export { formatError, isShakedownError, ShakedownError } from './core/errors.js';
export type { EventSink, RunEvent } from './core/event.js';
export { ExitCode, exitCodeDescriptions } from './core/exit-codes.js';
export { createHistogram, decodeHistogram, encodeHistogram, summarizeMs } from './core/histogram.js';
export { createRandom, type Random } from './core/random.js';
export { Registry } from './core/registry.js';
export { formatDurationMs, parseDurationMs, parseRatePerSec, parseSizeBytes } from './core/units.js';
export {
  createWindow,
  decodeWindow,
  type EncodedWindow,
  encodeWindow,
  mergeWindowInto,
  type Window,
  type WindowKey,
} from './core/window.js';
export { type LoadResult, type LoadRunOptions, planRun, runLoadTest } from './load/engine.js';
export { executorRegistry } from './load/executors/registry.js';
export { type LoadFlags, loadConfigFromFlags } from './load/from-flags.js';
export { loadConfigFromSpec } from './load/from-spec.js';
export type { LoadConfig, ScenarioConfig } from './load/model.js';
export type { Output, RunInfo, SecondReport } from './load/output.js';
export { JsonFileOutput } from './load/outputs/json-file.js';
export type { LoadSummary } from './load/summary.js';
export { formatSummary } from './load/summary-text.js';
export { MeshAdminClient } from './mesh/admin/client.js';
export type {
  EndpointState,
  FaultRequest,
  FaultState,
  MeshControl,
  MeshState,
  ServiceState,
  VersionState,
} from './mesh/control.js';
export { meshConfigFromSpec } from './mesh/from-spec.js';
export { Mesh, type MeshAddresses, type MeshOptions } from './mesh/mesh.js';
export type { MeshConfig } from './mesh/model.js';
export type { MeshPlane } from './mesh/plane.js';
export { type LoadedSpec, loadSpecFile, parseSpecText } from './spec/load-spec.js';
export { SpecError } from './spec/spec-error.js';

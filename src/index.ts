/**
 * The Shakedown library: everything the CLI does, callable from code.
 */

export { chaosActionRegistry } from './chaos/actions/registry.js';
export { localControls } from './chaos/control/local.js';
export { remoteControls } from './chaos/control/remote.js';
export type { ChaosControls, FleetControl, TcpControl } from './chaos/control/types.js';
export { chaosFaultRegistry } from './chaos/faults/registry.js';
export { defineFault, type FaultContext, type FaultType } from './chaos/faults/types.js';
export { judgeHypothesis } from './chaos/measure/hypothesis.js';
export { trafficIn } from './chaos/measure/phases.js';
export { injectionOutcome, summarizeRecovery } from './chaos/measure/recovery.js';
export { parseTolerance, withinTolerance } from './chaos/measure/tolerance.js';
export { PostgresCluster } from './chaos/postgres/cluster.js';
export { WriteChecker } from './chaos/postgres/writer.js';
export { probeRegistry } from './chaos/probes/registry.js';
export { renderExperiment } from './chaos/render/render.js';
export { runExperiment } from './chaos/run/experiment.js';
export { buildReport, type ChaosReport } from './chaos/run/report.js';
export { formatReport } from './chaos/run/report-text.js';
export { runChaosSession } from './chaos/run/session.js';
export { stopChaos } from './chaos/run/stop.js';
export { type ChaosSection, type ExperimentSpec, experimentSchema } from './chaos/schema.js';
export { loadChaosTarget } from './chaos/target.js';
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
export { assessAnalysis, assessMetric, noDataPhase } from './delivery/analysis/assess.js';
export { evaluateCondition, judgeValue, parseCondition } from './delivery/analysis/condition.js';
export {
  type CanaryScore,
  defaultJudgeConfig,
  type JudgeConfig,
  judgeCanary,
  scoreCanary,
} from './delivery/analysis/judge.js';
export type { AnalysisResult, Measurement, MetricLimits, MetricResult } from './delivery/analysis/model.js';
export { providerRegistry } from './delivery/analysis/providers/registry.js';
export { runAnalysis } from './delivery/analysis/runner.js';
export { versionSeconds } from './delivery/analysis/seconds.js';
export { RolloutController, type RolloutDeps, type RolloutResult } from './delivery/controller.js';
export { FleetAdminClient, fleetPort, type RolloutFleet } from './delivery/fleet-port.js';
export { rolloutFromFlags } from './delivery/from-flags.js';
export { rolloutFromEntry, rolloutFromSection } from './delivery/from-spec.js';
export type { AnalysisSpec, RolloutSpec, Step } from './delivery/model.js';
export { GatewayApiRouter } from './delivery/render/gateway-api.js';
export { renderKubernetes } from './delivery/render/kubernetes.js';
export {
  type RolloutFigures,
  type RolloutRun,
  type RolloutTargets,
  type RunRolloutOptions,
  runRollout,
} from './delivery/run-rollout.js';
export type { RolloutStatus } from './delivery/status.js';
export { MeshTrafficRouter } from './delivery/traffic/mesh-router.js';
export type { TrafficRouter } from './delivery/traffic/router.js';
export { AnomalyLikelihood, LikelihoodDetector, logLikelihood } from './detect/anomaly-likelihood.js';
export type { Detector, DetectorPlugin } from './detect/detector.js';
export { evaluateNab, headlineScores, loadCorpus, type NabEvaluation } from './detect/nab/eval-nab.js';
export { type NabProfileResult, scoreCorpus } from './detect/nab/evaluate.js';
export { sweepFile } from './detect/nab/sweep.js';
export { scoreAtThreshold, scoresByThreshold } from './detect/nab/threshold.js';
export { buildDetector, type DetectorSpec, detectorRegistry } from './detect/registry.js';
export { type AdminRoute, fleetAdminRoutes } from './fleet/admin-routes.js';
export { type ServiceDefinition, servicesFromSpec } from './fleet/definition.js';
export { Fleet, type FleetOptions } from './fleet/fleet.js';
export { type MeshEndpointControl, meshPortFromControl } from './fleet/mesh-control-port.js';
export type { DrainResult, MeshEndpoint, MeshPort } from './fleet/mesh-port.js';
export type { ReplicaStatus, RestartResult, ServiceStatus } from './fleet/status.js';
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
export {
  createToxicRegistry,
  defineToxic,
  startTcpListeners,
  TcpProxy,
  type TcpProxyOptions,
  type TcpProxyStats,
  type ToxicInfo,
  type ToxicInput,
  type ToxicType,
  tcpListenerSchema,
} from './mesh/tcp/index.js';
export { TcpPlane } from './mesh/tcp/plane.js';
export { actionRegistry } from './monitor/actions/registry.js';
export type { Alert } from './monitor/alert.js';
export { notifierRegistry } from './monitor/notifiers/registry.js';
export { evaluate as evaluatePromql, evaluateVector } from './monitor/promql/evaluate.js';
export { parsePromql } from './monitor/promql/parser.js';
export { stepAlerts } from './monitor/rules/alert-state.js';
export { type AlertChange, RuleEngine } from './monitor/rules/engine.js';
export { loadRuleFile, parseRuleText } from './monitor/rules/load-rules.js';
export { SeasonalForecaster } from './monitor/scaling/forecast.js';
export { recommendReplicas, type ScalingPolicy } from './monitor/scaling/recommend.js';
export { expandSlo } from './monitor/slo/expand.js';
export { sloRuleFile } from './monitor/slo/export.js';
export { parseExposition } from './monitor/sources/exposition.js';
export { PrometheusApi } from './monitor/sources/prometheus-api.js';
export { sourceRegistry } from './monitor/sources/registry.js';
export type { MetricProvider, Series, TimeRange } from './monitor/sources/source.js';
export { WindowSeries } from './monitor/sources/window-series.js';
export { MemorySeriesStore } from './monitor/tsdb.js';
export { Watcher, type WatchOptions } from './monitor/watch/watcher.js';
export { LocalPlatform, type LocalPlatformOptions } from './platform/local.js';
export { type ComparisonReport, compareRuns, type MetricComparison } from './regression/compare-runs.js';
export { type HookConfig, triggerHooks } from './regression/hook.js';
export { type MetricDefinition, metricRegistry } from './regression/metrics.js';
export { PreparedRun, type RunData } from './regression/series.js';
export { runValue, type TrendReport, trendOf } from './regression/trend.js';
export { type LoadedSpec, loadSpecFile, parseSpecText } from './spec/load-spec.js';
export { SpecError } from './spec/spec-error.js';
export { bootstrapPercentileDifferences } from './stats/bootstrap.js';
export { type ChangePoint, detectChangePoints } from './stats/change-points.js';
export { dispersionCheck } from './stats/dispersion.js';
export { hodgesLehmann } from './stats/hodges-lehmann.js';
export { mannWhitneyU } from './stats/mann-whitney.js';
export { holmAdjust } from './stats/multiple-testing.js';
export {
  classifyMetric,
  type JudgeOptions,
  judgeMetric,
  judgeMetrics,
  type MetricJudgement,
  measureMetric,
  overallVerdict,
  type Verdict,
} from './stats/verdict.js';
export { exportRun, parseRunExport, readRunExportFile } from './store/export-format.js';
export { StoreOutput } from './store/load-output.js';
export { openStore, resolveStoreLocation } from './store/open.js';
export { recoverAbandonedRuns } from './store/recovery.js';
export type {
  Baseline,
  NewRun,
  ResultsStore,
  RunExport,
  RunFinish,
  RunQuery,
  RunRecord,
} from './store/types.js';

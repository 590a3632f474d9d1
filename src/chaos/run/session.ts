import { join } from 'node:path';
import { usageError } from '../../core/errors.js';
import type { RunEvent } from '../../core/event.js';
import { PortAllocator } from '../../fleet/ports.js';
import { parseHostPort, tcpListenerSchema } from '../../mesh/tcp/index.js';
import { LocalPlatform } from '../../platform/local.js';
import type { LoadedSpec } from '../../spec/load-spec.js';
import type { ResultsStore } from '../../store/types.js';
import { localControls } from '../control/local.js';
import { remoteControls } from '../control/remote.js';
import type { ChaosControls } from '../control/types.js';
import type { ProbeRound } from '../measure/types.js';
import { PostgresCluster } from '../postgres/cluster.js';
import { DatabaseRegistry } from '../postgres/databases.js';
import { WriteChecker } from '../postgres/writer.js';
import type { ExperimentSpec } from '../schema.js';
import { runExperiment } from './experiment.js';
import { RevertJournal } from './journal.js';
import { LeaseKeeper } from './lease-keeper.js';
import { planMethod } from './plan.js';
import { ChaosRecorder } from './recorder.js';
import type { ChaosReport } from './report.js';

/**
 * One `shakedown chaos run`: for each experiment, start its databases, start the platform
 * of the spec in this process (or attach to one running elsewhere through its admin API),
 * run the experiment, record it, stop what was started. The lease keeper and the journal
 * guard every fault meanwhile; the keeper also holds the databases, so nothing started
 * here outlives the process.
 */
export interface ChaosSessionOptions {
  loaded: LoadedSpec | undefined;
  experiments: Array<{ name: string; experiment: ExperimentSpec }>;
  stateDir: string;
  /** A platform running in another process (`shakedown up` / `shakedown mesh`). */
  attach?: { adminUrl: string; tokenFile: string } | undefined;
  store?: ResultsStore | undefined;
  storeMeta?: ConstructorParameters<typeof ChaosRecorder>[2];
  signal?: AbortSignal;
  leaseMs: number;
  seed?: number;
  loadWorkers?: number;
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  onEvent?(e: RunEvent): void;
  onRound?(r: ProbeRound): void;
  /** A line of progress for people (platform started, experiment starting, …). */
  note?(line: string): void;
  /** Edits the spec before the platform starts (tests: free ports, env). */
  editSpec?(spec: LoadedSpec['spec']): void;
}

export async function runChaosSession(o: ChaosSessionOptions): Promise<ChaosReport[]> {
  const keeper = new LeaseKeeper();
  keeper.start(o.env);
  const journal = new RevertJournal(o.stateDir);
  const reports: ChaosReport[] = [];
  try {
    for (const { name, experiment } of o.experiments) {
      if (o.signal?.aborted) break;
      reports.push(await runOne(o, name, experiment, keeper, journal));
    }
  } finally {
    await keeper.close();
  }
  return reports;
}

async function runOne(
  o: ChaosSessionOptions,
  name: string,
  experiment: ExperimentSpec,
  keeper: LeaseKeeper,
  journal: RevertJournal,
): Promise<ChaosReport> {
  const recorder = new ChaosRecorder(o.store, Date.now, o.storeMeta);
  const databases = new DatabaseRegistry();
  const clusters: Array<{ id: string; cluster: PostgresCluster }> = [];
  let platform: LocalPlatform | undefined;
  let controls: ChaosControls | undefined;
  const platformEvents = new Set<(e: RunEvent) => void>();
  const leaseTimer = setInterval(
    () => {
      for (const c of clusters) keeper.renew(c.id, Date.now() + o.leaseMs);
    },
    Math.max(200, o.leaseMs / 3),
  );
  leaseTimer.unref();
  try {
    for (const [dbName, db] of Object.entries(experiment.databases)) {
      o.note?.(`starting PostgreSQL ${dbName} (primary + ${db.replication} replica)`);
      const cluster = await PostgresCluster.start({
        replication: db.replication,
        ...(o.env ? { env: o.env } : {}),
      });
      const id = `db-${recorder.runId}-${dbName}`;
      keeper.add(id, cluster.undoSteps(), Date.now() + o.leaseMs);
      journal.begin({
        id,
        runId: recorder.runId,
        pid: process.pid,
        type: 'database',
        data: { undo: cluster.undoSteps() },
        writtenAtMs: Date.now(),
        expiresAtMs: Date.now() + 24 * 3600_000,
      });
      clusters.push({ id, cluster });
      databases.add({ name: dbName, cluster, listener: db.listener, writer: undefined });
    }
    if (o.attach) {
      controls = await remoteControls(o.attach.adminUrl, o.attach.tokenFile);
    } else {
      if (!o.loaded) throw new Error('an experiment without a spec needs --admin-url to reach a platform');
      const loaded: LoadedSpec = { ...o.loaded, spec: structuredClone(o.loaded.spec) };
      o.editSpec?.(loaded.spec);
      for (const db of databases.all()) await wireDatabase(loaded, db, experiment.databases[db.name]?.app);
      o.note?.('starting the platform');
      platform = await LocalPlatform.start(loaded, {
        stateDir: o.stateDir,
        ...(o.env ? { env: o.env } : {}),
        events: {
          emit: (e) => {
            for (const f of platformEvents) f(e);
          },
        },
        readyTimeoutMs: o.readyTimeoutMs ?? 60_000,
      });
      controls = localControls(platform, {
        subscribe: (f) => {
          platformEvents.add(f);
          return () => platformEvents.delete(f);
        },
      });
    }
    for (const db of databases.all()) {
      const tcp = controls.tcp;
      if (!tcp) throw new Error(`database ${db.name} needs the platform's TCP listener "${db.listener}"`);
      if (o.attach) await tcp.setUpstream(db.listener, `127.0.0.1:${db.cluster.primary.port}`);
      const spec = experiment.databases[db.name];
      if (spec?.writes) {
        const listen = (await tcp.listeners()).find((l) => l.name === db.listener)?.listen as string;
        db.writer = new WriteChecker(`postgres://postgres@${listen}/postgres`, spec.writes.rate);
      }
    }
    const planned = experiment.before + planMethod(experiment.method).durationMs + experiment.after;
    await recorder.start(name, experiment, planned);
    o.note?.(`experiment ${name}: run ${recorder.runId}`);
    const report = await runExperiment({
      name,
      experiment,
      loaded: o.loaded,
      controls,
      databases,
      keeper,
      journal,
      runId: recorder.runId,
      stateDir: o.stateDir,
      leaseMs: experiment.lease ?? o.leaseMs,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.loadWorkers !== undefined ? { loadWorkers: o.loadWorkers } : {}),
      loadOutputs: [recorder.output()],
      onEvent: (e) => {
        recorder.event(e);
        o.onEvent?.(e);
      },
      ...(o.onRound ? { onRound: o.onRound } : {}),
    });
    await recorder.finish(report);
    return { ...report, runId: recorder.runId } as ChaosReport;
  } finally {
    clearInterval(leaseTimer);
    await controls?.close();
    await platform?.stop();
    for (const { id, cluster } of clusters) {
      await cluster.stop().catch(() => {});
      keeper.done(id);
      journal.reverted(id, Date.now(), 'stopped');
    }
  }
}

/**
 * Points the spec at an experiment database before the platform starts: its TCP listener's
 * upstream is the primary (the listener is added, on a free port, if the spec has none),
 * and the app's env var holds the listener's URL.
 */
async function wireDatabase(
  loaded: LoadedSpec,
  db: { name: string; listener: string; cluster: PostgresCluster },
  app: { service: string; env: string } | undefined,
): Promise<void> {
  const mesh = loaded.spec.mesh;
  if (!mesh)
    throw usageError(
      'E_CHAOS_NO_MESH',
      `database ${db.name} is reached through a mesh TCP listener; the spec has no mesh: section`,
    );
  const upstream = `127.0.0.1:${db.cluster.primary.port}`;
  let l = mesh.tcp.find((t) => t.name === db.listener);
  if (!l) {
    const port = await new PortAllocator().allocate('127.0.0.1');
    l = tcpListenerSchema.parse({ name: db.listener, listen: `127.0.0.1:${port}`, upstream });
    mesh.tcp.push(l);
  }
  (l as { upstream: unknown }).upstream = parseHostPort(upstream);
  if (!app) return;
  const svc = loaded.spec.services?.[app.service];
  if (!svc) throw usageError('E_CHAOS_TARGET', `database ${db.name}: no service "${app.service}" to connect`);
  if (l.listen.port === 0)
    (l as { listen: unknown }).listen = parseHostPort(
      `127.0.0.1:${await new PortAllocator().allocate('127.0.0.1')}`,
    );
  svc.env = { ...svc.env, [app.env]: `postgres://postgres@127.0.0.1:${l.listen.port}/postgres` };
}

/** The journal of a state directory (for `chaos stop`). */
export function journalFile(stateDir: string): string {
  return join(stateDir, 'chaos', 'journal.jsonl');
}

/**
 * `mailroom serve`: the HTTP app, the intake worker (inline mode: the only one; BullMQ mode: one of
 * many), start-up recovery of unfinished intake, a periodic sweep for messages whose job was lost
 * (e.g. Redis was down at accept time), and rules hot reload.
 */
import type { MailroomConfig } from './config.js';
import { buildApp, type BuildAppOptions } from './api/build-app.js';
import type { App } from './api/types.js';
import { recoverIntake, runIntakeWorker } from './intake/run-intake-worker.js';
import { createServices, type CreateServicesOptions, type Services } from './services.js';

/** How often accepted-but-unqueued raw messages are looked for, and how old they must be. */
export const INTAKE_SWEEP_INTERVAL_MS = 60_000;

export type RunningServer = { app: App; services: Services; url: string; stop: () => Promise<void> };

export type StartServerOptions = Omit<CreateServicesOptions, 'config'> & BuildAppOptions & {
  config: MailroomConfig;
  /** false: build everything but do not run the intake worker here (API-only process) */
  runWorker?: boolean;
};

export const startServer = async (opts: StartServerOptions): Promise<RunningServer> => {
  const services = await createServices(opts);
  const { config, log } = services;
  const app = await buildApp(services, opts);
  if (opts.runWorker !== false) {
    runIntakeWorker({ queue: services.queue, deps: services.intake, effects: services.effects, concurrency: config.intakeConcurrency, log });
  }
  const recovered = await recoverIntake({ db: services.db, queue: services.queue });
  if (recovered > 0) log.info({ recovered }, 'intake: re-queued unfinished messages from before the restart');
  const sweep = setInterval(() => {
    void recoverIntake({ db: services.db, queue: services.queue, olderThan: new Date(services.clock.now().getTime() - INTAKE_SWEEP_INTERVAL_MS) })
      .catch((err) => log.error({ err }, 'intake: sweep failed'));
  }, INTAKE_SWEEP_INTERVAL_MS);
  sweep.unref();
  services.decider.watch();
  const url = await app.listen({ port: config.port, host: config.host });
  log.info({ url, queue: services.queue.kind, data: config.dataDir }, 'mailroom: listening');
  return {
    app, services, url,
    async stop() {
      clearInterval(sweep);
      await app.close();
      await services.close();
    },
  };
};

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
import type { MailroomModule } from './module.js';
import { modules as defaultModules } from './modules.js';

/** How often accepted-but-unqueued raw messages are looked for, and how old they must be. */
export const INTAKE_SWEEP_INTERVAL_MS = 60_000;

export type RunningServer = { app: App; services: Services; url: string; stop: () => Promise<void> };

export type StartServerOptions = Omit<CreateServicesOptions, 'config'> & {
  healthChecks?: BuildAppOptions['healthChecks'];
  routeModules?: BuildAppOptions['modules'];
  config: MailroomConfig;
  /** false: build everything but do not run the intake worker here (API-only process) */
  runWorker?: boolean;
  /** the modules to load (default: src/modules.ts) */
  modules?: MailroomModule[];
};

/** Starts every module's background work; returns one function that stops them in reverse order. */
export const startModules = async (services: Services, mods: MailroomModule[], role: 'server' | 'worker'): Promise<() => Promise<void>> => {
  const stops: Array<() => Promise<void>> = [];
  for (const m of mods) {
    const stop = await m.start?.(services, role);
    if (stop) stops.push(stop);
  }
  return async () => { for (const stop of stops.reverse()) await stop(); };
};

export const startServer = async (opts: StartServerOptions): Promise<RunningServer> => {
  const services = await createServices(opts);
  const { config, log } = services;
  const mods = opts.modules ?? defaultModules;
  const app = await buildApp(services, {
    modules: [...(opts.routeModules ?? []), ...mods.flatMap((m) => (m.routes ? [m.routes] : []))],
    healthChecks: [...(opts.healthChecks ?? []), ...mods.flatMap((m) => (m.health ? [m.health(services)] : []))],
  });
  const stopModules = await startModules(services, mods, 'server');
  if (opts.runWorker !== false) {
    runIntakeWorker({ queue: services.queue, deps: services.intake, effects: services.effects, emitTicketEvents: services.emitTicketEvents, concurrency: config.intakeConcurrency, log });
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
      await stopModules();
      await services.close();
    },
  };
};

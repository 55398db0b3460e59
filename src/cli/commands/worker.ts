import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from '../../config.js';
import { runIntakeWorker } from '../../intake/run-intake-worker.js';
import { createServices } from '../../services.js';
import { modules } from '../../modules.js';
import { startModules } from '../../server.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'worker',
  summary: 'Run intake workers only (needs REDIS_URL: BullMQ); start as many processes as you like',
  run: async (argv) => {
    const { values } = parseArgs({ args: argv, options: { 'env-file': { type: 'string' } } });
    if (values['env-file']) process.loadEnvFile(values['env-file']);
    const config = loadConfig(process.env);
    if (!config.redisUrl) throw new ConfigError('REDIS_URL: required for separate worker processes (without it, `mailroom serve` runs the intake in-process)');
    const services = await createServices({ config });
    services.decider.watch();
    const stopModules = await startModules(services, modules, 'worker');
    runIntakeWorker({ queue: services.queue, deps: services.intake, effects: services.effects, emitTicketEvents: services.emitTicketEvents, concurrency: config.intakeConcurrency, log: services.log });
    services.log.info({ concurrency: config.intakeConcurrency }, 'worker: consuming intake jobs');
    const stop = async () => { await stopModules(); await services.close(); process.exit(0); };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
    return new Promise<number>(() => { /* runs until a signal */ });
  },
};

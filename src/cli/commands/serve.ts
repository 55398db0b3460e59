import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.js';
import { startServer } from '../../server.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'serve',
  summary: 'Start the HTTP server and the intake worker (embedded defaults: SQLite, inline queue)',
  run: async (argv) => {
    const { values } = parseArgs({ args: argv, options: { 'env-file': { type: 'string' } } });
    if (values['env-file']) process.loadEnvFile(values['env-file']);
    const server = await startServer({ config: loadConfig(process.env) });
    const stop = async (signal: string) => {
      server.services.log.info({ signal }, 'mailroom: shutting down');
      await server.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    return new Promise<number>(() => { /* runs until a signal */ });
  },
};

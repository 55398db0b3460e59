/** One pino logger for the process; fastify uses the same instance. */
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export const createLogger = (level: string, name = 'mailroom'): Logger => pino({ name, level });

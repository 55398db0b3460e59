import type { MailroomConfig } from '../config.js';
import { createBullmqDriver } from './bullmq-driver.js';
import { createInlineDriver } from './inline-driver.js';
import type { QueueDriver } from './queue-driver.js';
import { intakeJob } from './jobs.js';

/** `bullmq` when REDIS_URL is set, `inline` otherwise. */
export const createQueueDriver = (config: Pick<MailroomConfig, 'redisUrl' | 'queuePrefix' | 'intakeRetry'>): QueueDriver => {
  const retry = { [intakeJob.name]: config.intakeRetry };
  return config.redisUrl ? createBullmqDriver({ redisUrl: config.redisUrl, prefix: config.queuePrefix, retry }) : createInlineDriver({ retry });
};

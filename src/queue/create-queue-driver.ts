import type { MailroomConfig } from '../config.js';
import { createInlineDriver } from './inline-driver.js';
import type { QueueDriver } from './queue-driver.js';
import { intakeJob } from './jobs.js';

/** `bullmq` when REDIS_URL is set, `inline` otherwise. BullMQ is only loaded when used (it is slow to import). */
export const createQueueDriver = async (config: Pick<MailroomConfig, 'redisUrl' | 'queuePrefix' | 'intakeRetry'>): Promise<QueueDriver> => {
  const retry = { [intakeJob.name]: config.intakeRetry };
  if (!config.redisUrl) return createInlineDriver({ retry });
  const { createBullmqDriver } = await import('./bullmq-driver.js');
  return createBullmqDriver({ redisUrl: config.redisUrl, prefix: config.queuePrefix, retry });
};

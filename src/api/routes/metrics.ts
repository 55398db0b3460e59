/**
 * GET /metrics: Prometheus text format (src/sla/collect-metrics.ts). Behind the API token like every
 * non-public route — it is outside /api/, so it checks the token itself. Prometheus sends it with
 * `authorization: { type: Bearer, credentials_file: ... }` in the scrape config (docs/sla.md).
 */
import { Type } from '@sinclair/typebox';
import type { JobDefinition } from '../../queue/job-definition.js';
import type { Services } from '../../services.js';
import { requireApiToken } from '../auth.js';
import { collectMetrics, formatPrometheus } from '../../sla/collect-metrics.js';
import type { SlaSchedulerStats } from '../../sla/sla-scheduler-stats.js';
import { SLA_STATES } from '../../db/schema/index.js';
import { bearerSecurity, type App } from '../types.js';

/** The content type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricsRoutesOptions = {
  /** queues whose depth is reported */
  jobs: ReadonlyArray<JobDefinition<never>>;
  /** this process's SLA scheduler figures, when the SLA module runs here */
  stats: (services: Services) => SlaSchedulerStats | null;
};

export const metricsRoutes = (opts: MetricsRoutesOptions) => async (app: App, services: Services): Promise<void> => {
  app.get('/metrics', {
    onRequest: async (request) => { requireApiToken(request, services.secrets.apiToken); },
    schema: {
      tags: ['metrics'],
      summary: 'Prometheus metrics: intake counters, queue depth, open tickets by SLA state, warnings and breaches',
      description: 'Text exposition format 0.0.4. Needs `Authorization: Bearer <MAILROOM_API_TOKEN>` like the API.',
      security: bearerSecurity,
      response: { 200: Type.String({ description: PROMETHEUS_CONTENT_TYPE }), 401: { $ref: 'ErrorResponse#' } },
    },
  }, async (_request, reply) => {
    const metrics = await collectMetrics({
      db: services.db, queue: services.queue, jobs: opts.jobs, now: services.clock.now(), stats: opts.stats(services), slaStates: SLA_STATES,
    });
    return reply.type(PROMETHEUS_CONTENT_TYPE).send(formatPrometheus(metrics));
  });
};

/** GET /health: the database answers and the queue answers. 200 when both do, 503 otherwise. Public, no details of data. */
import { Type } from '@sinclair/typebox';
import { sql } from 'drizzle-orm';
import { intakeJob } from '../../queue/jobs.js';
import type { Services } from '../../services.js';
import type { App } from '../types.js';

/** Extra health sections (channels, outbox, rules) registered by other modules. */
export type HealthCheck = { name: string; check: () => Promise<{ ok: boolean; [k: string]: unknown }> };

export const healthRoutes = async (app: App, services: Services, extra: HealthCheck[]): Promise<void> => {
  app.get('/health', {
    config: { rateLimit: { max: 120, timeWindow: '1 minute' } },
    schema: {
      tags: ['health'], summary: 'Database and queue reachability',
      response: { 200: Type.Object({}, { additionalProperties: true }), 503: Type.Object({}, { additionalProperties: true }) },
    },
  }, async (_request, reply) => {
    let database: { ok: boolean; detail: string };
    try {
      services.db.get(sql`select 1`);
      database = { ok: true, detail: 'sqlite' };
    } catch (err) {
      database = { ok: false, detail: (err as Error).message };
    }
    const q = await services.queue.health();
    const queue = { ...q, driver: services.queue.kind, intake: q.ok ? await services.queue.counts(intakeJob).catch(() => null) : null };
    const sections: Record<string, unknown> = {};
    let ok = database.ok && queue.ok;
    for (const h of extra) {
      const r = await h.check().catch((err: Error) => ({ ok: false, detail: err.message }));
      sections[h.name] = r;
      ok &&= r.ok;
    }
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', database, queue, ...sections });
  });
};

/** The classifier: status and calibration, labeled examples, retraining. */
import { Type } from '@sinclair/typebox';
import { count, eq, sql } from 'drizzle-orm';
import { classifierModels, trainingExamples } from '../../db/schema/index.js';
import { classifierRuntime } from '../../classify/classifier-module.js';
import type { Services } from '../../services.js';
import { bearerSecurity, type App } from '../types.js';

export const classifierRoutes = async (app: App, services: Services): Promise<void> => {
  const { db } = services;

  app.get('/api/classifier', {
    schema: {
      tags: ['classifier'], security: bearerSecurity,
      summary: 'The live model (held-out accuracy, calibration: accuracy and coverage above each confidence threshold), the threshold, examples, the last training run',
    },
  }, async () => {
    const active = db.select().from(classifierModels).where(eq(classifierModels.active, true)).get() ?? null;
    const bySource = db.select({ source: trainingExamples.source, n: count() }).from(trainingExamples).groupBy(trainingExamples.source).all();
    const byCategory = db.select({ category: trainingExamples.category, n: count() }).from(trainingExamples).groupBy(trainingExamples.category).orderBy(sql`count(*) desc`).all();
    return {
      threshold: services.config.classifierThreshold,
      model: active,
      examples: { total: bySource.reduce((a, b) => a + b.n, 0), bySource: Object.fromEntries(bySource.map((r) => [r.source, r.n])), byCategory: Object.fromEntries(byCategory.map((r) => [r.category, r.n])) },
      lastRun: classifierRuntime(services).lastRun(),
    };
  });

  app.post('/api/classifier/examples', {
    schema: {
      tags: ['classifier'], security: bearerSecurity, summary: 'Add labeled examples (text, category)',
      body: Type.Object({
        examples: Type.Array(Type.Object({ text: Type.String({ minLength: 1, maxLength: 20_000 }), category: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }), { minItems: 1, maxItems: 5000 }),
      }, { additionalProperties: false }),
    },
  }, async (request, reply) => {
    const now = services.clock.now();
    db.transaction((tx) => {
      for (const e of request.body.examples) tx.insert(trainingExamples).values({ text: e.text, category: e.category, source: 'import', createdBy: 'api', createdAt: now }).run();
    });
    return reply.status(201).send({ added: request.body.examples.length });
  });

  app.post('/api/classifier/train', {
    schema: {
      tags: ['classifier'], security: bearerSecurity,
      summary: 'Retrain from every labeled example, off-thread; the new model goes live only if it is not worse on held-out examples',
      querystring: Type.Object({ wait: Type.Optional(Type.Boolean({ description: 'answer when the run ends (200) instead of at once (202)' })) }),
    },
  }, async (request, reply) => {
    const { started, done } = classifierRuntime(services).retrain();
    if (request.query.wait) return reply.status(200).send(await done);
    return reply.status(202).send({ started, status: started ? 'training' : 'already training', poll: 'GET /api/classifier' });
  });
};

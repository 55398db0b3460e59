/**
 * The HTTP application: public routes (forms, health, docs) and the authenticated `/api/*` routes, each
 * with a schema that both validates it and documents it at /docs (OpenAPI at /docs/json).
 */
import Fastify, { LogController } from 'fastify';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../services.js';
import { requireApiToken } from './auth.js';
import { installErrorHandler } from './error-handler.js';
import { formRoutes, FORM_BODY_LIMIT } from './routes/forms.js';
import { healthRoutes, type HealthCheck } from './routes/health.js';
import { inboundRoutes } from './routes/inbound.js';
import { intakeRoutes } from './routes/intake.js';
import { messageRoutes } from './routes/messages.js';
import { ticketRoutes, ticketUpdateRoutes } from './routes/tickets.js';
import { ErrorResponse, type App } from './types.js';

/** JSON bodies of ordinary API calls; raw mail has its own limit (MAILROOM_MAX_MESSAGE_BYTES). */
export const API_BODY_LIMIT = 1024 * 1024;

/** A module that adds routes behind the API token (rules, queues, classifier, SLA, outbox...). */
export type RouteModule = (app: App, services: Services) => Promise<void>;

export type BuildAppOptions = {
  /** more authenticated route modules */
  modules?: RouteModule[];
  /** more /health sections */
  healthChecks?: HealthCheck[];
};

/** Paths that need no API token: they are public by design and rate limited. */
const isPublic = (url: string) =>
  url === '/health' || url.startsWith('/forms/') || url === '/docs' || url.startsWith('/docs/') || url.startsWith('/api/inbound/') || !url.startsWith('/api/');

export const buildApp = async (services: Services, opts: BuildAppOptions = {}): Promise<App> => {
  const app = Fastify({
    loggerInstance: services.log,
    bodyLimit: API_BODY_LIMIT,
    // Unknown keys are an error the caller should see, not something to drop silently.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    logController: new LogController({ disableRequestLogging: services.config.logLevel !== 'debug' && services.config.logLevel !== 'trace' }),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  installErrorHandler(app);
  app.addSchema(ErrorResponse);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Mailroom API', version: '0.1.0', description: 'Inbound e-mail and web-form response management.' },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'MAILROOM_API_TOKEN' },
          inboundSecret: { type: 'http', scheme: 'bearer', description: 'MAILROOM_INBOUND_SECRET' },
          inboundSignature: { type: 'apiKey', in: 'header', name: 'X-Mailroom-Signature', description: 'sha256=<hex HMAC-SHA256 of the body>' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(rateLimit, { global: false });
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT });

  app.addHook('onRequest', async (request) => {
    const url = request.url.split('?')[0];
    if (!isPublic(url)) requireApiToken(request, services.secrets.apiToken);
  });

  await healthRoutes(app, services, opts.healthChecks ?? []);
  await formRoutes(app, services);
  await inboundRoutes(app, services);
  await ticketRoutes(app, services);
  await ticketUpdateRoutes(app, services);
  await messageRoutes(app, services);
  await intakeRoutes(app, services);
  for (const module of opts.modules ?? []) await module(app, services);
  return app;
};

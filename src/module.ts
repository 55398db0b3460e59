/**
 * A Mailroom module plugs a capability (mailboxes, outbox, classifier, routing, SLA...) into every
 * process the same way: routes behind the API token, a /health section, intake effects that run after a
 * message is filed, and background work started with the server or the workers and stopped with them.
 * The list of modules is src/modules.ts.
 */
import type { RouteModule } from './api/build-app.js';
import type { HealthCheck } from './api/routes/health.js';
import type { Services } from './services.js';

export type MailroomModule = {
  name: string;
  routes?: RouteModule;
  health?: (services: Services) => HealthCheck;
  /**
   * Called once services exist, in `serve` and `worker` processes (`role` says which). Register intake
   * effects (services.effects.push), start pollers or queue workers; return a function that stops them.
   */
  start?: (services: Services, role: 'server' | 'worker') => Promise<(() => Promise<void>) | void>;
};

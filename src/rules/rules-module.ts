/**
 * The rules module: the rules API and the decision trace route (src/api/routes/rules.ts), the `rules`
 * section of /health, hot reload of the rules directory, and the shadow rule set's intake effect.
 *
 * /health: `ok: false` (overall `degraded`) while the last reload of the rules failed. The running rules
 * are still the last good ones then (or none at all, when the files were broken from the start: every
 * message goes to triage), and the errors are listed (file name, line, column, code, message) until a
 * reload succeeds. Full detail: GET /api/rules.
 */
import path from 'node:path';
import { rulesRoutes } from '../api/routes/rules.js';
import type { MailroomModule } from '../module.js';
import { rulesRuntime } from './rules-runtime.js';

/** Errors /health lists at most. */
export const HEALTH_RULE_ERRORS = 5;

export const rulesModule: MailroomModule = {
  name: 'rules',
  routes: rulesRoutes,
  health: (services) => ({
    name: 'rules',
    check: async () => {
      const status = services.decider.status();
      const failed = status.lastReload !== null && !status.lastReload.ok;
      const shadow = rulesRuntime(services).shadow.status({ recent: 0 });
      return {
        ok: !failed,
        version: status.version,
        files: status.files,
        rules: status.rules,
        loadedAt: status.loadedAt,
        lastReload: status.lastReload && {
          at: status.lastReload.at,
          ok: status.lastReload.ok,
          errorCount: status.lastReload.errors.length,
          errors: status.lastReload.errors.slice(0, HEALTH_RULE_ERRORS).map((e) => ({
            file: path.basename(e.file), line: e.line, column: e.column, code: e.code, message: e.message,
          })),
        },
        shadow: shadow?.status === 'active' ? { id: shadow.id, version: shadow.version, compared: shadow.compared, differed: shadow.differed } : null,
        ...(failed ? { detail: `the last reload failed; rules ${status.version} keep running; see GET /api/rules` } : {}),
      };
    },
  }),
  async start(services) {
    // Every process that decides mail follows the rules directory (startServer also asks; watching is idempotent).
    services.decider.watch();
    services.effects.push(rulesRuntime(services).shadow.effect);
  },
};

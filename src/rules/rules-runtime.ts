/**
 * What the rules module keeps per running Mailroom (per `Services`): the shadow rule set and whether a
 * backtest is running. Built on first use, by the routes or by the module's start, whichever comes first.
 */
import type { Services } from '../services.js';
import { createShadowRules, type ShadowRules } from './shadow-rules.js';

export type RulesRuntime = {
  shadow: ShadowRules;
  /** one backtest at a time per process: each takes a core for seconds */
  backtestRunning: boolean;
};

const runtimes = new WeakMap<Services, RulesRuntime>();

export const rulesRuntime = (services: Services): RulesRuntime => {
  let runtime = runtimes.get(services);
  if (!runtime) {
    runtime = {
      shadow: createShadowRules({
        db: services.db, decider: services.decider, rulesDir: services.config.rulesDir, now: () => services.clock.now(), log: services.log,
      }),
      backtestRunning: false,
    };
    runtimes.set(services, runtime);
  }
  return runtime;
};

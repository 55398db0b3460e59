/**
 * `mailroom rules test FILE.eml [--rules DIR] [--json]`: decides one message file with the rules of DIR
 * (default: the configured rules directory) exactly as intake would, and prints the decision trace:
 * detection, thread, classifier top scores, every rule with each condition's actual value and result,
 * the decision, the assignment and the SLA policy. Nothing is written: the database, when there is
 * one, is opened read-only for the thread, customer, queues, agents and the live classifier model.
 *
 * Exit codes: 0 decided, 1 the rules or the message are not valid, 2 usage.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.js';
import type { Channel, ClassificationResult } from '../../decide/types.js';
import { CHANNELS } from '../../intake/build-decision-input.js';
import { lookUpDecisionFacts, type LookUpDecisionFactsOptions } from '../../intake/look-up-decision-facts.js';
import { decideMessageFile } from '../../rules/decide-message-file.js';
import { formatDecisionTrace } from '../../rules/explain-decision.js';
import { loadRuleSet } from '../../rules/load-rules.js';
import { formatRuleError } from '../../rules/validate-rules.js';
import type { CliIo } from './rules.js';
import { classifierText, openRulesCliContext } from './rules-context.js';

export const RULES_TEST_USAGE = `usage: mailroom rules test FILE.eml [options]

  Decides FILE.eml with the rules as intake would, and prints why: every rule, every condition's
  actual value, the decision, assignment and SLA policy. Writes nothing.

options:
  --rules DIR          rules directory (default: MAILROOM_RULES_DIR, ./rules)
  --json               the trace as JSON (the shape of GET /api/tickets/:id/trace)
  --matched            text output: only the rules that matched
  --at ISO-TIME        when the message is taken to arrive (default: its Date header)
  --channel NAME       webhook, form, import (default) or imap
  --mailbox NAME       the mailbox or form it is taken to have come through
  --category NAME      pretend the classifier said NAME (instead of the live model)
  --confidence N       with --category: the confidence, 0..1 (default 1)
  --queue NAME         a queue rules may route to when there is no database (repeatable)
  --env-file FILE      load environment variables first
`;

export const runRulesTest = async (argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        rules: { type: 'string' },
        json: { type: 'boolean', default: false },
        matched: { type: 'boolean', default: false },
        at: { type: 'string' },
        channel: { type: 'string', default: 'import' },
        mailbox: { type: 'string' },
        category: { type: 'string' },
        confidence: { type: 'string', default: '1' },
        queue: { type: 'string', multiple: true, default: [] },
        'env-file': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.err(`mailroom rules test: ${(error as Error).message}\n\n${RULES_TEST_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(RULES_TEST_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    io.err(RULES_TEST_USAGE);
    return 2;
  }
  const channel = values.channel as Channel;
  if (!CHANNELS.includes(channel)) {
    io.err(`mailroom rules test: --channel must be one of ${CHANNELS.join(', ')}`);
    return 2;
  }
  const at = values.at ? new Date(values.at) : null;
  if (at && Number.isNaN(at.getTime())) {
    io.err(`mailroom rules test: --at "${values.at}" is not a date and time (e.g. 2026-11-23T09:00:00Z)`);
    return 2;
  }
  const confidence = Number(values.confidence);
  if (!(confidence >= 0 && confidence <= 1)) {
    io.err('mailroom rules test: --confidence must be between 0 and 1');
    return 2;
  }
  if (values['env-file']) process.loadEnvFile(values['env-file']);

  const file = positionals[0];
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (error) {
    io.err(`mailroom rules test: cannot read ${file}: ${(error as Error).message}`);
    return 1;
  }
  const config = loadConfig(env);
  const rulesDir = values.rules ?? config.rulesDir;
  // The CLI is an edge: it may read the clock (the decision itself gets the time as input).
  const now = new Date();
  const ctx = await openRulesCliContext({ config, rulesDir, extraQueues: values.queue, now, assignment: true, classifier: values.category === undefined });
  try {
    if (!values.json) for (const note of ctx.notes) io.err(note);
    const loaded = await loadRuleSet({ dir: rulesDir, known: ctx.known });
    if (!loaded.ok) {
      if (values.json) io.out(JSON.stringify({ ok: false, errors: loaded.errors }, null, 2));
      else for (const error of loaded.errors) io.out(formatRuleError(error));
      io.err(`${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'} in ${rulesDir}: nothing was decided`);
      return 1;
    }
    const simulated: ClassificationResult | null = values.category === undefined ? null : {
      category: values.category, confidence, top: [{ category: values.category, probability: confidence }], modelVersion: 'command line (--category)', threshold: 0,
    };
    const { db } = ctx;
    const result = await decideMessageFile({
      raw,
      ruleSet: loaded.ruleSet,
      context: ctx.context,
      stages: ctx.stages,
      settings: config,
      channel,
      channelRef: values.mailbox ?? (channel === 'import' ? file : null),
      receivedAt: at,
      now,
      lookUpFacts: db ? (args) => {
        const options: LookUpDecisionFactsOptions = { db, ...args, settings: config };
        return lookUpDecisionFacts(options);
      } : undefined,
      classify: ({ parsed, visibleText }) => simulated ?? ctx.classify?.(classifierText(parsed.subject, visibleText)) ?? null,
    });
    if (!result.ok) {
      io.err(`mailroom rules test: ${file} cannot be filed: ${result.reason}`);
      return 1;
    }
    if (values.json) io.out(JSON.stringify(result.explanation, null, 2));
    else for (const line of formatDecisionTrace(result.explanation, { onlyMatched: values.matched })) io.out(line);
    return 0;
  } finally {
    ctx.close();
  }
};

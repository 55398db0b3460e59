/**
 * `mailroom rules test FILE.eml`: decides one message file the way intake would, and writes nothing.
 * The same steps as src/intake/process-raw-message.ts up to `decide`: parse → detect → sender and
 * mailbox → visible text (build-decision-input.ts) → thread, ticket and customer facts (when the caller
 * has a database to read them from) → classification → `decide`.
 *
 * Without database facts the message is decided as a new ticket from an unknown customer, and the
 * thread line of the trace says so.
 */
import type { DecideResult, DecideStages } from '../decide/decide.js';
import { decide } from '../decide/decide.js';
import type { Channel, ClassificationResult, DecisionInput, DetectionFlags } from '../decide/types.js';
import { buildDecisionInput, intakeSummaryLines, readParsedMessage, type ReadingSettings } from '../intake/build-decision-input.js';
import type { ThreadMatch } from '../intake/find-thread.js';
import type { DecisionFacts } from '../intake/look-up-decision-facts.js';
import { parseMessage, UnparseableMessageError } from '../intake/parse-message.js';
import type { ParsedMessage } from '../intake/parsed-message.js';
import { explainDecision, type DecisionExplanation } from './explain-decision.js';
import type { RuleContext, RuleSet } from './rule-types.js';

export type DecideMessageFileOptions = {
  raw: Buffer;
  ruleSet: RuleSet;
  context: RuleContext;
  stages?: DecideStages;
  settings: ReadingSettings;
  channel: Channel;
  /** the mailbox name, form id or import path the message is taken to have come through */
  channelRef: string | null;
  /** when it is taken to have arrived; null: the message's Date header, else `now` */
  receivedAt: Date | null;
  now: Date;
  /** the database facts (thread, ticket, customer), or null to decide it as a new ticket from an unknown customer */
  lookUpFacts?: (args: { parsed: ParsedMessage; senderEmail: string; receivedAt: Date; flags: DetectionFlags }) => DecisionFacts;
  classify?: (args: { parsed: ParsedMessage; visibleText: string }) => ClassificationResult | null;
};

export type DecideMessageFileResult =
  | { ok: true; input: DecisionInput; result: DecideResult; thread: ThreadMatch; explanation: DecisionExplanation }
  | { ok: false; reason: string };

const NOT_LOOKED_UP: ThreadMatch = {
  ticketId: null, matchedBy: null, followUpOf: null, reasons: ['not looked up (no database): decided as a new ticket from an unknown customer'],
};

export const decideMessageFile = async (opts: DecideMessageFileOptions): Promise<DecideMessageFileResult> => {
  let parsed: ParsedMessage;
  try {
    parsed = await parseMessage(opts.raw);
  } catch (err) {
    if (err instanceof UnparseableMessageError) return { ok: false, reason: err.reason };
    throw err;
  }
  const receivedAt = opts.receivedAt ?? parsed.date ?? opts.now;
  const reading = readParsedMessage({ parsed, channel: opts.channel, channelRef: opts.channelRef, receivedAt, settings: opts.settings });
  if (!reading.ok) return { ok: false, reason: reading.reason };
  const facts = opts.lookUpFacts?.({ parsed, senderEmail: reading.senderEmail, receivedAt, flags: reading.flags }) ?? null;
  const input = buildDecisionInput({
    reading,
    customer: facts?.customer ?? null,
    customerOpenTickets: facts?.customerOpenTickets ?? 0,
    ticket: facts?.ticket ?? null,
    classification: opts.classify?.({ parsed, visibleText: reading.visibleText }) ?? null,
  });
  const result = decide({ input, ruleSet: opts.ruleSet, context: opts.context, stages: opts.stages });
  const thread = facts?.thread ?? NOT_LOOKED_UP;
  result.trace.summary.unshift(...intakeSummaryLines({ flags: reading.flags, thread }));
  const explanation = explainDecision({
    stored: { decision: result.decision, trace: result.trace, thread },
    message: { id: null, ticketId: thread.ticketId, subject: parsed.subject, from: reading.senderEmail, receivedAt, flags: reading.flags },
  });
  return { ok: true, input, result, thread, explanation };
};

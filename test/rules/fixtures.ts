/**
 * Builders for rule tests: a complete DecisionInput with sensible defaults, overridable in parts, and a
 * rule context with a fixed calendar (Mon–Fri 09:00–17:00 in the context's zone).
 */
import { DateTime } from 'luxon';
import type { CustomerFacts, Decision, DecisionInput, MessageFacts, TicketFacts } from '../../src/decide/types.js';
import { compileRuleSet } from '../../src/rules/load-rules.js';
import type { KnownNames, RuleContext, RuleError, RuleSet } from '../../src/rules/rule-types.js';

export type InputOverrides = {
  message?: Partial<MessageFacts>;
  customer?: Partial<CustomerFacts>;
  ticket?: Partial<TicketFacts>;
  classification?: DecisionInput['classification'];
  now?: Date;
};

/** Tuesday 2025-03-04 10:30 in Berlin: inside business hours. */
export const TUESDAY_MORNING = new Date('2025-03-04T09:30:00Z');
/** Saturday 2025-03-08 22:00 in Berlin. */
export const SATURDAY_NIGHT = new Date('2025-03-08T21:00:00Z');

export const makeInput = (overrides: InputOverrides = {}): DecisionInput => {
  const now = overrides.now ?? TUESDAY_MORNING;
  const message: MessageFacts = {
    channel: 'webhook',
    mailbox: 'support',
    messageId: 'm1@example.com',
    from: { name: 'Ann Customer', address: 'Ann@Example.COM' },
    to: [{ name: 'Support', address: 'support@acme.test' }],
    cc: [],
    subject: 'Question about my order',
    text: 'Hello,\nwhere is my order?\n\n> old quoted text',
    visibleText: 'Hello,\nwhere is my order?',
    headers: {},
    attachments: [],
    flags: { autoReply: false, bounce: false, loop: false, bulk: false, signals: [] },
    receivedAt: now,
    ...overrides.message,
  };
  const customer: CustomerFacts = {
    email: 'ann@example.com', domain: 'example.com', name: 'Ann', tier: null, tags: [], openTickets: 0, ...overrides.customer,
  };
  const ticket: TicketFacts = { isNew: true, id: null, status: null, queue: null, priority: null, category: null, ...overrides.ticket };
  return { message, customer, ticket, classification: overrides.classification ?? null, now };
};

export const KNOWN: KnownNames = {
  queues: ['triage', 'billing', 'technical', 'accounts', 'vip'],
  templates: ['acknowledgement', 'password-reset'],
  policies: ['standard', 'vip'],
};

export const context: RuleContext = {
  timeZone: 'Europe/Berlin',
  isBusinessTime: (at) => {
    const local = DateTime.fromJSDate(at, { zone: 'Europe/Berlin' });
    return local.weekday <= 5 && local.hour >= 9 && local.hour < 17;
  },
};

/** Compiles YAML text into a rule set, failing the test with the errors when it does not compile. */
export const rulesFrom = (text: string, file = 'rules/test.yaml', known: KnownNames = KNOWN): RuleSet => {
  const result = compileRuleSet({ sources: [{ file, text }], known });
  if (!result.ok) throw new Error(`rules did not compile:\n${result.errors.map((e) => `${e.line}:${e.column} ${e.path} ${e.message}`).join('\n')}`);
  return result.ruleSet;
};

/** Compiles YAML text that must fail; returns its errors. */
export const errorsFrom = (text: string, file = 'rules/bad.yaml', known: KnownNames = KNOWN): RuleError[] => {
  const result = compileRuleSet({ sources: [{ file, text }], known });
  if (result.ok) throw new Error('expected the rules to be refused, but they compiled');
  return result.errors;
};

export const makeDecision = (overrides: Partial<Decision> = {}): Decision => ({
  category: null, priority: 'normal', tags: [], queue: 'triage', skill: null, assignee: null, slaPolicy: null,
  autoReplyTemplate: null, acknowledge: null, webhooks: [], ...overrides,
});

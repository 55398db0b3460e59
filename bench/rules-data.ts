/**
 * Generated rule sets and messages for the rule benchmarks (bench/rules.ts, bench/rules-backtest-db.ts),
 * from a fixed seed so runs are comparable. Rules mix the operators and fields real rule sets use
 * (contains over subject and body, domain equals, tier, tags, category, numbers, a regular expression
 * in about one rule in ten, nested any/all/not); each condition holds for a few percent of messages.
 * Not a benchmark itself: a module both import.
 */
import type { DecisionInput } from '../src/decide/types.js';
import { compileRuleSet, type RuleSource } from '../src/rules/load-rules.js';
import type { RuleContext, RuleSet } from '../src/rules/rule-types.js';

/** mulberry32: a small seeded generator, so every run sees the same rules and messages. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
export const random = rng(42);
export const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];

const WORDS = ['invoice', 'refund', 'password', 'login', 'error', 'crash', 'urgent', 'order', 'delivery', 'cancel', 'upgrade', 'billing',
  'account', 'payment', 'shipping', 'return', 'broken', 'slow', 'timeout', 'export', 'import', 'api', 'webhook', 'license', 'invoice copy',
  'vat', 'receipt', 'discount', 'coupon', 'trial', 'subscription', 'renewal', 'downgrade', 'bug', 'feature', 'question', 'help'];
const DOMAINS = ['example.com', 'acme.test', 'globex.test', 'initech.test', 'umbrella.test', 'hooli.test', 'gmail.test', 'outlook.test'];
const TIERS = [null, null, null, 'gold', 'silver', 'vip'];
const TAGS = ['beta', 'enterprise', 'partner', 'churn-risk', 'vip', 'reseller'];
const CATEGORIES = ['billing', 'technical', 'account', 'shipping', 'sales', null];
export const QUEUES = ['triage', 'billing', 'technical', 'accounts', 'vip'];
const PRIORITY = ['low', 'normal', 'high', 'urgent', 'raise'];

/** One condition; each holds for roughly 2–15% of the generated messages, as in real rule sets. */
const condition = (): string => {
  switch (Math.floor(random() * 10)) {
    case 0: return `{ subject: { contains: [${pick(WORDS)}, ${pick(WORDS)}] } }`;
    case 1: return `{ visible_text: { contains: ${pick(WORDS)} } }`;
    case 2: return `{ from.domain: ${pick(DOMAINS)} }`;
    case 3: return `{ all: [ { customer.tier: { in: [gold, vip] } }, { customer.open_tickets: { gte: 3 } } ] }`;
    case 4: return `{ customer.tags: { contains: ${pick(TAGS)} } }`;
    case 5: return `{ classification.category: ${pick(CATEGORIES.filter(Boolean) as string[])}, classification.confidence: { gte: 0.8 } }`;
    case 6: return `{ customer.open_tickets: { gte: 5 } }`;
    case 7: return `{ subject: { matches: '\\b(${pick(WORDS)}|${pick(WORDS)})s?\\b' } }`;
    case 8: return `{ flags.bulk: true }`;
    default: return `{ attachments.names: { ends_with: .pdf }, not: { from.domain: ${pick(DOMAINS)} } }`;
  }
};

const ruleYaml = (i: number): string => {
  const shape = random();
  const when = shape < 0.4 ? condition()
    : shape < 0.7 ? `{ all: [${condition()}, ${condition()}] }`
      : shape < 0.9 ? `{ any: [${condition()}, ${condition()}, ${condition()}] }`
        : `{ all: [${condition()}, { any: [${condition()}, ${condition()}] }] }`;
  const actions = [`queue: ${pick(QUEUES)}`];
  if (random() < 0.5) actions.push(`priority: ${pick(PRIORITY)}`);
  if (random() < 0.5) actions.push(`tags: [t${i % 40}]`);
  if (random() < 0.3) actions.push(`category: ${pick(CATEGORIES.filter(Boolean) as string[])}`);
  return `  - name: rule-${i}\n    when: ${when}\n    then: { ${actions.join(', ')} }\n`;
};

export const generateRules = (count: number): string => `rules:\n${Array.from({ length: count }, (_, i) => ruleYaml(i)).join('')}`;

export const KNOWN = { queues: QUEUES, templates: [], policies: [] };

export const compile = (count: number): { ruleSet: RuleSet; ms: number; source: RuleSource } => {
  const source = { file: `bench/${count}.yaml`, text: generateRules(count) };
  const started = performance.now();
  const result = compileRuleSet({ sources: [source], known: KNOWN });
  const ms = performance.now() - started;
  if (!result.ok) throw new Error(result.errors.slice(0, 5).map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return { ruleSet: result.ruleSet, ms, source };
};

// A pool of bodies shared between messages, as stored mail repeats itself.
const BODIES = Array.from({ length: 500 }, () =>
  Array.from({ length: 80 + Math.floor(random() * 120) }, () => (random() < 0.01 ? pick(WORDS) : pick(['the', 'a', 'we', 'please', 'since', 'yesterday', 'my', 'your', 'with', 'is', 'not', 'thanks']))).join(' '));

export const EPOCH = Date.UTC(2025, 0, 6, 8, 0, 0);
export const makeInput = (i: number): DecisionInput => {
  const domain = pick(DOMAINS);
  const body = pick(BODIES);
  const received = new Date(EPOCH + i * 37_000);
  const category = pick(CATEGORIES);
  return {
    message: {
      channel: pick(['webhook', 'form', 'imap', 'imap'] as const),
      mailbox: 'support',
      messageId: `m${i}@bench`,
      from: { name: 'Customer', address: `c${i % 5000}@${domain}` },
      to: [{ name: 'Support', address: 'support@acme.test' }],
      cc: [],
      subject: `${pick(WORDS)} ${pick(WORDS)} #${i}`,
      text: `${body}\n\n> quoted ${pick(BODIES).slice(0, 200)}`,
      visibleText: body,
      headers: { 'message-id': [`<m${i}@bench>`] },
      attachments: random() < 0.2 ? [{ filename: 'file.pdf', contentType: 'application/pdf', size: 1000 }] : [],
      flags: { autoReply: random() < 0.03, bounce: false, loop: false, bulk: random() < 0.05, signals: [] },
      receivedAt: received,
    },
    customer: { email: `c${i % 5000}@${domain}`, domain, name: null, tier: pick(TIERS), tags: random() < 0.3 ? [pick(TAGS)] : [], openTickets: Math.floor(random() * 6) },
    ticket: { isNew: true, id: null, status: null, queue: null, priority: null, category: null },
    classification: category ? { category, confidence: 0.5 + random() / 2, top: [], modelVersion: 'bench', threshold: 0.5 } : null,
    now: received,
  };
};

export const context: RuleContext = {
  timeZone: 'Europe/Berlin',
  isBusinessTime: (at) => {
    const day = at.getUTCDay();
    const hour = at.getUTCHours();
    return day >= 1 && day <= 5 && hour >= 8 && hour < 16;
  },
};


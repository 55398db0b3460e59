/**
 * Every field a rule's `when` can test, where its value comes from, and its type. rules/README.md
 * documents the same list for supervisors (a test keeps the two in step).
 *
 * Values are normalized for matching: addresses and domains lower-case, attachment types without
 * parameters. Text comparison is case-insensitive unless a condition says `case_sensitive: true`; that
 * is done by the operators, not here. Time fields use `input.now` in `context.timeZone`.
 */
import { DateTime } from 'luxon';
import type { Address } from '../intake/parsed-message.js';
import type { FactsView, FieldSource, FieldType, FieldValue, RuleEvent } from './rule-types.js';

export type FieldDefinition = FieldSource & Readonly<{
  type: FieldType;
  /** one line for the reference and for error messages */
  summary: string;
  /** the closed set of values `equals` / `in` may name, when there is one */
  values?: readonly string[];
  /** turns a value a supervisor wrote into the canonical one (`Mon` → `monday`), or null if invalid */
  normalizeExpected?: (written: string) => string | null;
  /** the events in which the field has a value; absent: all events */
  events?: readonly RuleEvent[];
}>;

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

const domainOf = (address: string): string => {
  const at = address.lastIndexOf('@');
  return at === -1 ? '' : address.slice(at + 1).toLowerCase();
};

const addressesOf = (list: readonly Address[]): string[] => list.map((a) => a.address.toLowerCase());

/** The luxon DateTime of `input.now` in the context's zone, or null for an invalid zone. */
const localNow = (facts: FactsView): DateTime | null => {
  const local = DateTime.fromJSDate(facts.input.now, { zone: facts.context.timeZone });
  return local.isValid ? local : null;
};

const weekdayOf = (facts: FactsView): string | null => {
  const local = localNow(facts);
  return local === null ? null : WEEKDAYS[local.weekday - 1];
};

const field = (definition: FieldDefinition): FieldDefinition => Object.freeze(definition);

/** Every fixed field, in the order the reference lists them. `header.<Name>` is built by `resolveField`. */
export const FIELDS: readonly FieldDefinition[] = Object.freeze([
  field({ name: 'channel', type: 'text', summary: 'how the message arrived', values: ['webhook', 'form', 'import', 'imap'], value: (f) => f.input.message.channel }),
  field({ name: 'mailbox', type: 'text', summary: 'the mailbox name or form id it arrived through', value: (f) => f.input.message.mailbox }),
  field({ name: 'to', type: 'text_list', summary: 'every recipient address (To and Cc), lower-case', value: (f) => [...addressesOf(f.input.message.to), ...addressesOf(f.input.message.cc)] }),
  field({ name: 'from.address', type: 'text', summary: "the sender's address, lower-case", value: (f) => f.input.message.from?.address.toLowerCase() ?? null }),
  field({ name: 'from.domain', type: 'text', summary: "the sender's domain, lower-case", value: (f) => (f.input.message.from ? domainOf(f.input.message.from.address) || null : null) }),
  field({ name: 'from.name', type: 'text', summary: "the sender's display name", value: (f) => f.input.message.from?.name || null }),
  field({ name: 'subject', type: 'text', summary: 'the subject line', value: (f) => f.input.message.subject }),
  field({ name: 'text', type: 'text', summary: 'the whole plain-text body, quoted history included', value: (f) => f.input.message.text }),
  field({ name: 'visible_text', type: 'text', summary: 'the new part of the body: quotes and signature removed', value: (f) => f.input.message.visibleText }),
  field({ name: 'attachments.count', type: 'number', summary: 'how many attachments', value: (f) => f.input.message.attachments.length }),
  field({ name: 'attachments.types', type: 'text_list', summary: 'MIME types of the attachments, e.g. application/pdf', value: (f) => f.input.message.attachments.map((a) => a.contentType.split(';')[0].trim().toLowerCase()) }),
  field({ name: 'attachments.names', type: 'text_list', summary: 'file names of the attachments', value: (f) => f.input.message.attachments.flatMap((a) => (a.filename ? [a.filename] : [])) }),
  field({ name: 'classification.category', type: 'text', summary: "the classifier's category (absent below its confidence threshold)", value: (f) => f.input.classification?.category ?? null }),
  field({ name: 'classification.confidence', type: 'number', summary: "the classifier's confidence, 0 to 1", value: (f) => f.input.classification?.confidence ?? null }),
  field({ name: 'flags.auto_reply', type: 'boolean', summary: 'an automatic reply (out of office, autoresponder)', value: (f) => f.input.message.flags.autoReply }),
  field({ name: 'flags.bounce', type: 'boolean', summary: 'a delivery failure report', value: (f) => f.input.message.flags.bounce }),
  field({ name: 'flags.bulk', type: 'boolean', summary: 'list or bulk mail', value: (f) => f.input.message.flags.bulk }),
  field({ name: 'flags.loop', type: 'boolean', summary: 'mail Mailroom itself sent, coming back', value: (f) => f.input.message.flags.loop }),
  field({ name: 'customer.email', type: 'text', summary: "the customer's address, lower-case", value: (f) => f.input.customer.email.toLowerCase() }),
  field({ name: 'customer.domain', type: 'text', summary: "the customer's domain, lower-case", value: (f) => f.input.customer.domain.toLowerCase() || null }),
  field({ name: 'customer.tier', type: 'text', summary: "the customer's tier, e.g. vip", value: (f) => f.input.customer.tier }),
  field({ name: 'customer.tags', type: 'text_list', summary: "the customer's tags", value: (f) => f.input.customer.tags }),
  field({ name: 'customer.open_tickets', type: 'number', summary: 'open tickets of this customer, not counting this one', value: (f) => f.input.customer.openTickets }),
  field({ name: 'ticket.is_new', type: 'boolean', summary: 'true when this message opens a new ticket', value: (f) => f.input.ticket.isNew }),
  field({ name: 'ticket.status', type: 'text', summary: "the existing ticket's status (absent for a new ticket)", value: (f) => f.input.ticket.status }),
  field({ name: 'ticket.queue', type: 'text', summary: "the existing ticket's queue", value: (f) => f.input.ticket.queue }),
  field({ name: 'ticket.priority', type: 'text', summary: "the existing ticket's priority", values: ['low', 'normal', 'high', 'urgent'], value: (f) => f.input.ticket.priority }),
  field({ name: 'ticket.category', type: 'text', summary: "the existing ticket's category", value: (f) => f.input.ticket.category }),
  field({ name: 'time.business_hours', type: 'boolean', summary: 'whether now is inside business hours (the SLA calendar)', value: (f) => f.context.isBusinessTime(f.input.now) }),
  field({
    name: 'time.weekday', type: 'text', summary: 'the day of the week now, e.g. monday (mon also accepted)', values: WEEKDAYS,
    normalizeExpected: (written) => WEEKDAYS.find((d) => d === written.toLowerCase() || d.slice(0, 3) === written.toLowerCase()) ?? null,
    value: weekdayOf,
  }),
  field({ name: 'time.hour', type: 'number', summary: 'the hour now, 0 to 23', value: (f) => localNow(f)?.hour ?? null }),
  field({ name: 'sla.clock', type: 'text', summary: 'in sla.* rules: the clock at risk (first_response, next_response, resolution)', events: ['sla.warning', 'sla.breach'], value: (f) => f.event?.clock ?? null }),
  field({ name: 'sla.policy', type: 'text', summary: 'in sla.* rules: the policy whose target is at risk', events: ['sla.warning', 'sla.breach'], value: (f) => f.event?.policy ?? null }),
].map((definition, slot) => Object.freeze({ ...definition, slot })));

/** How many fixed fields there are (an evaluation's cache size). */
export const FIELD_SLOTS = FIELDS.length;

const BY_NAME = new Map(FIELDS.map((f) => [f.name, f]));

/** Names accepted in conditions, for "did you mean" (`header.` stands for every header). */
export const FIELD_NAMES: readonly string[] = [...FIELDS.map((f) => f.name), 'header.<Name>'];

/** Header names: RFC 5322 field-name characters. */
const HEADER_NAME = /^[!-9;-~]+$/;

/**
 * The definition of a field name as written in a rule, or null when there is no such field.
 * `header.<Name>` resolves for any syntactically valid header name; it is a list (every value of the
 * header), matched case-insensitively by name.
 */
export const resolveField = (name: string): FieldDefinition | null => {
  const fixed = BY_NAME.get(name);
  if (fixed) return fixed;
  if (!name.toLowerCase().startsWith('header.')) return null;
  const header = name.slice('header.'.length).toLowerCase();
  if (header.length === 0 || !HEADER_NAME.test(header)) return null;
  return field({
    name: `header.${header}`,
    type: 'text_list',
    summary: `every value of the ${header} header`,
    value: (f): FieldValue => {
      const headers = f.input.message.headers;
      const exact = headers[header];
      if (exact) return exact;
      for (const key of Object.keys(headers)) if (key.toLowerCase() === header) return headers[key];
      return [];
    },
  });
};

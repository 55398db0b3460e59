/**
 * What a bounce says about the mail it bounces: the original Message-ID (so the outbox can find the
 * message it sent) and, per recipient, the address, the DSN action and status, and the diagnostic.
 *
 * Where the facts come from, in order of trust:
 *  1. RFC 3464 delivery-status fields (`Final-Recipient`, `Action`, `Status`, `Diagnostic-Code`,
 *     `Remote-MTA`, `Reporting-MTA`), from a `message/delivery-status` (or RFC 6533
 *     `message/global-delivery-status`) attachment, or from the text body, where mailparser renders
 *     those parts inline.
 *  2. The returned message: the headers of a `message/rfc822` or `text/rfc822-headers` part
 *     (RFC 3462), or, for MTAs that paste the original below a separator line (qmail, Exim, many
 *     appliances), the first `Message-ID:` line in the body text.
 *  3. Plain-text bounce templates without DSN fields, above the returned copy: an address starting a
 *     line (Postfix / qmail `<address>:`, OpenSMTPD `address: 550 ...`, Exim's indented address, Exchange
 *     `address on <date>`), a labelled one ("Failed recipient:", "RCPT TO:", "delivering your mail to
 *     <address>"), or any bracketed address in the report; with the enhanced status code (RFC 3463
 *     `5.1.1`) and SMTP reply code found in the next lines.
 *  4. Last resort: the To/Cc of the returned message, with the first status code of the report.
 *  A DSN `Status: 5.0.0` is refined by a more specific code of the same class in its Diagnostic-Code.
 *
 * Pure: reads nothing but its argument. Bounded: only the first MAX_BOUNCE_SCAN_CHARS of any text
 * are scanned.
 */
import type { ParsedMessage } from './parsed-message.js';

/** How much of a body or part is scanned for delivery-status fields and returned headers. */
export const MAX_BOUNCE_SCAN_CHARS = 64 * 1024;
/** At most this many recipients are reported from one bounce. */
export const MAX_BOUNCE_RECIPIENTS = 100;

/** RFC 3464 `Action` values, plus null when the bounce does not say. */
export type BounceAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

/** One recipient a bounce or DSN reports on. */
export type BounceRecipient = {
  /** the final recipient (or the original one when that is all the bounce gives), lower case */
  address: string;
  /** RFC 3464 `Original-Recipient`, when given and different */
  originalAddress: string | null;
  action: BounceAction | null;
  /** RFC 3463 enhanced status code, e.g. `5.1.1` */
  status: string | null;
  /** SMTP reply code, e.g. `550`, when the bounce quotes one */
  replyCode: string | null;
  diagnostic: string | null;
  remoteMta: string | null;
};

/** What extractBounceDetails found; every field may be missing from a given bounce. */
export type BounceDetails = {
  /** Message-ID (without brackets) of the message that bounced, when the bounce returns its headers */
  originalMessageId: string | null;
  /** Subject of the returned message, when present */
  originalSubject: string | null;
  reportingMta: string | null;
  recipients: BounceRecipient[];
  /** where the recipients came from: DSN fields, the report's text, or (least trusted) the returned message's To/Cc */
  source: 'delivery-status' | 'text' | 'returned-message' | 'none';
};

const ACTIONS: readonly BounceAction[] = ['failed', 'delayed', 'delivered', 'relayed', 'expanded'];
// No "@" inside either part: a line of "x@x@x@..." must not make the match polynomial.
const ADDRESS = /[^\s<>()"';,:[\]@]{1,64}@[^\s<>()"';,:[\]@]{1,255}\.[a-z0-9-]{2,}/i;
const ENHANCED_STATUS = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;
const REPLY_CODE = /(?:^|[^\d.])([245][0-5]\d)(?:[\s-]|$)/m;

const cleanAddress = (value: string): string | null => {
  const m = ADDRESS.exec(value);
  return m ? m[0].replace(/^[<]+|[>.]+$/g, '').toLowerCase() : null;
};

const stripBrackets = (id: string): string => id.trim().replace(/^<+|>+$/g, '').trim();

/** Unfolds RFC 5322 continuation lines and splits into blank-line-separated field groups. */
const fieldGroups = (text: string): Array<Map<string, string>> => {
  const groups: Array<Map<string, string>> = [];
  let current = new Map<string, string>();
  let lastKey: string | null = null;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (/^\s*$/.test(line)) {
      if (current.size > 0) groups.push(current);
      current = new Map();
      lastKey = null;
      continue;
    }
    const field = /^([A-Za-z][A-Za-z0-9-]*):\s?(.*)$/.exec(line);
    if (field) {
      lastKey = field[1].toLowerCase();
      if (!current.has(lastKey)) current.set(lastKey, field[2].trim());
    } else if (lastKey && /^[ \t]/.test(line)) {
      current.set(lastKey, `${current.get(lastKey)} ${line.trim()}`);
    } else {
      lastKey = null;
    }
  }
  if (current.size > 0) groups.push(current);
  return groups;
};

/** Strips the RFC 3464 address-type / diagnostic-type prefix (`rfc822;`, `smtp;`, `dns;`). */
const typed = (value: string | undefined): string | null => {
  if (!value) return null;
  const semi = value.indexOf(';');
  const v = (semi >= 0 && semi < 16 ? value.slice(semi + 1) : value).trim();
  return v.length > 0 ? v : null;
};

/**
 * RFC 3464 action, normalized: Postfix address-verification reports say `deliverable` / `undeliverable`;
 * with no usable action, the status class decides (2 delivered, 4 delayed, 5 failed).
 */
const actionOf = (value: string, statusClass: string | undefined): BounceAction | null => {
  const word = value.toLowerCase().match(/[a-z]+/)?.[0] ?? '';
  if ((ACTIONS as readonly string[]).includes(word)) return word as BounceAction;
  if (word === 'undeliverable') return 'failed';
  if (word === 'deliverable') return 'delivered';
  if (statusClass === '2') return 'delivered';
  if (statusClass === '4') return 'delayed';
  if (statusClass === '5') return 'failed';
  return null;
};

const recipientFromFields = (f: Map<string, string>): BounceRecipient | null => {
  const finalAddress = cleanAddress(typed(f.get('final-recipient')) ?? '');
  const originalAddress = cleanAddress(typed(f.get('original-recipient')) ?? '') ?? cleanAddress(f.get('x-actual-recipient') ?? '');
  const address = finalAddress ?? originalAddress;
  if (!address) return null;
  const diagnostic = typed(f.get('diagnostic-code'));
  const declared = ENHANCED_STATUS.exec(f.get('status') ?? '');
  const remote = diagnostic ? ENHANCED_STATUS.exec(diagnostic) : null;
  // A generic "5.0.0" from the reporting MTA says less than the remote server's own code in the diagnostic.
  const statusMatch = declared && remote && declared[2] === '0' && declared[3] === '0' && remote[1] === declared[1] ? remote : (declared ?? remote);
  const action = actionOf(f.get('action') ?? '', statusMatch?.[1]);
  return {
    address,
    originalAddress: originalAddress && originalAddress !== address ? originalAddress : null,
    action,
    status: statusMatch ? statusMatch[0] : null,
    replyCode: diagnostic ? (REPLY_CODE.exec(diagnostic)?.[1] ?? null) : null,
    diagnostic,
    remoteMta: typed(f.get('remote-mta')),
  };
};

/** Delivery-status fields from a DSN part or from text that contains them. */
const fromDeliveryStatus = (text: string): { reportingMta: string | null; recipients: BounceRecipient[] } => {
  const groups = fieldGroups(text);
  let reportingMta: string | null = null;
  const recipients: BounceRecipient[] = [];
  for (const g of groups) {
    if (!reportingMta && g.has('reporting-mta')) reportingMta = typed(g.get('reporting-mta'));
    if (!g.has('final-recipient') && !g.has('original-recipient')) continue;
    if (!g.has('action') && !g.has('status') && !g.has('diagnostic-code')) continue;
    const r = recipientFromFields(g);
    if (r && recipients.length < MAX_BOUNCE_RECIPIENTS) recipients.push(r);
  }
  return { reportingMta, recipients };
};

/** Looks in the lines after an address for an enhanced status, a reply code and a diagnostic line. */
const detailsNear = (lines: string[], index: number): Pick<BounceRecipient, 'status' | 'replyCode' | 'diagnostic'> => {
  const window = lines.slice(index, index + 6).join('\n');
  const status = ENHANCED_STATUS.exec(window)?.[0] ?? null;
  const replyCode = REPLY_CODE.exec(window)?.[1] ?? null;
  const diagnosticLine = lines.slice(index, index + 6).find((l) => /\b[245]\d\d\b|[245]\.\d{1,3}\.\d{1,3}|unknown|not exist|full|rejected|refused|denied|invalid|disabled|quota|timed? ?out/i.test(l));
  return { status, replyCode, diagnostic: diagnosticLine ? diagnosticLine.trim().slice(0, 500) : null };
};

/** Header-like lines in a report that name senders or ids, never failed recipients. */
const NOT_A_RECIPIENT_LINE = /^\s*>?\s*(?:from|sender|reply-to|return-path|envelope-from|message-id|in-reply-to|references|x-[\w-]+|received|date|subject)\s*:/i;

/** Recipients named by plain-text bounce templates (no DSN fields). `exclude`: the bounce's own addressees. */
const fromTemplateText = (text: string, exclude: ReadonlySet<string>): BounceRecipient[] => {
  // Only look above the returned copy of the message: its headers name the original recipients too.
  const cut = text.search(/^(?:.*(?:copy of the (?:original )?message|original message (?:follows|headers)|unsent message follows|message headers follow|returned message|original headers|-{2,} ?original message).*|return-path:\s*<|received:\s?|message-id:\s*<)/im);
  const report = cut > 0 ? text.slice(0, cut) : text;
  const lines = report.split(/\r\n|\r|\n/);
  const found = new Map<string, BounceRecipient>();
  const add = (raw: string, index: number) => {
    const address = cleanAddress(raw);
    if (!address || exclude.has(address) || found.has(address) || found.size >= MAX_BOUNCE_RECIPIENTS) return;
    found.set(address, { address, originalAddress: null, action: 'failed', remoteMta: null, ...detailsNear(lines, index) });
  };
  lines.forEach((line, i) => {
    if (NOT_A_RECIPIENT_LINE.test(line)) return;
    // Postfix "<a@b> (expanded from <c@d>): reason", qmail "<a@b>:", Sendmail "<a@b>... User unknown",
    // OpenSMTPD "a@b: 550 ...", Exim's indented address line, Exchange "a@b on <date>", Zoho "a@b Invalid ...".
    const leading = /^\s*<?([^\s<>()"':;,@]{1,64}@[^\s<>()"':;,@]{1,255}?)>?(?:\s*\(expanded from[^)]*\))?(?=[\s:,]|\.\.\.|\.?$)/.exec(line);
    if (leading) return add(leading[1], i);
    // Generic "Failed recipient: a@b", "RCPT TO:<a@b>", "delivering your mail to <a@b>" inside the report.
    const labelled = /(?:failed recipient|original-recipient|final-recipient|recipient address|rcpt to|unknown user|user unknown|address|recipient|delivering (?:your )?(?:mail|message) to|delivered to)\s*[:;]?\s*(?:rfc822;)?\s*<?([^\s<>()@]{1,64}@[^\s<>()@]{1,255}?)>?(?:[\s,.;:]|$)/i.exec(line);
    if (labelled) return add(labelled[1], i);
    const bracketed = /<([^<>\s@]{1,64}@[^<>\s@]{1,255})>/.exec(line);
    if (bracketed) return add(bracketed[1], i);
  });
  return [...found.values()];
};

/** Last resort: the recipients of the returned message itself, with whatever status the report states. */
const fromReturnedRecipients = (returned: string, report: string): BounceRecipient[] => {
  const to = [headerFrom(returned, 'to'), headerFrom(returned, 'cc')].filter((v): v is string => !!v).join(',');
  const status = ENHANCED_STATUS.exec(report)?.[0] ?? null;
  const replyCode = REPLY_CODE.exec(report)?.[1] ?? null;
  const addresses = [...new Set((to.match(new RegExp(ADDRESS.source, 'gi')) ?? []).map((a) => cleanAddress(a)).filter((a): a is string => !!a))];
  return addresses.slice(0, MAX_BOUNCE_RECIPIENTS).map((address) => ({
    address, originalAddress: null, action: status?.startsWith('4') ? 'delayed' : 'failed', status, replyCode, diagnostic: null, remoteMta: null,
  }));
};

const headerBlock = (raw: string): string => {
  const end = raw.search(/\r?\n\r?\n/);
  return end >= 0 ? raw.slice(0, end) : raw;
};

const headerFrom = (block: string, name: string): string | null => {
  const m = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r?\\n[ \\t]+.*)*)`, 'im').exec(block);
  return m ? m[1].replace(/\r?\n[ \t]+/g, ' ').trim() : null;
};

/** The header block of an original pasted into the body below the report (qmail, Exim, Sendmail). */
const inlineReturnedHeaders = (text: string): string | null => {
  const start = text.search(/^(?:return-path|received|message-id|from|to|subject|date):[ \t]/im);
  if (start < 0) return null;
  const block = headerBlock(text.slice(start));
  return /^(?:to|message-id):/im.test(block) ? block : null;
};

const returnedHeaders = (message: ParsedMessage): string | null => {
  for (const a of message.attachments) {
    if (a.size === 0) continue;
    if (a.contentType.startsWith('message/rfc822') || a.contentType.startsWith('message/global')) {
      return headerBlock(a.content.subarray(0, MAX_BOUNCE_SCAN_CHARS).toString('utf8'));
    }
    if (a.contentType.startsWith('text/rfc822-header')) return a.content.subarray(0, MAX_BOUNCE_SCAN_CHARS).toString('utf8');
  }
  return null;
};

/**
 * Extracts the original Message-ID and the per-recipient outcome from a bounce or DSN. Works on any
 * message (returns `source: 'none'` and no recipients when nothing is found); call it on messages
 * that detectAutomatedMail flagged as `bounce`, or on delivery reports, to match them to sent mail.
 */
export const extractBounceDetails = ({ message }: { message: ParsedMessage }): BounceDetails => {
  const text = message.text.slice(0, MAX_BOUNCE_SCAN_CHARS);
  const dsnParts = message.attachments
    .filter((a) => /^message\/(?:global-)?delivery-status/.test(a.contentType))
    .map((a) => a.content.subarray(0, MAX_BOUNCE_SCAN_CHARS).toString('utf8'));

  let reportingMta: string | null = null;
  let recipients: BounceRecipient[] = [];
  let source: BounceDetails['source'] = 'none';
  for (const part of [...dsnParts, text]) {
    const found = fromDeliveryStatus(part);
    reportingMta ??= found.reportingMta;
    if (found.recipients.length > 0) {
      recipients = found.recipients;
      source = 'delivery-status';
      break;
    }
  }
  if (recipients.length === 0) {
    // The bounce goes to the original sender: its own To/From are never the failed recipients.
    const exclude = new Set([...message.to, ...(message.from ? [message.from] : [])].map((a) => a.address.toLowerCase()));
    recipients = fromTemplateText(text, exclude);
    if (recipients.length > 0) source = 'text';
  }

  const returned = returnedHeaders(message) ?? inlineReturnedHeaders(text);
  if (recipients.length === 0 && returned) {
    recipients = fromReturnedRecipients(returned, text.slice(0, Math.max(0, text.indexOf(returned.slice(0, 40))) || text.length));
    if (recipients.length > 0) source = 'returned-message';
  }
  let originalMessageId: string | null = null;
  let originalSubject: string | null = null;
  if (returned) {
    const id = headerFrom(returned, 'message-id');
    originalMessageId = id ? stripBrackets(id.split(/\s+/)[0]) || null : null;
    originalSubject = headerFrom(returned, 'subject');
  }
  if (!originalMessageId) {
    const inline = /^[ \t>]*message-id:[ \t]*<?([^\s<>@]{1,250}@[^\s<>@]{1,255}?)>?[ \t]*$/im.exec(text);
    originalMessageId = inline ? inline[1] : null;
  }
  if (!originalSubject) {
    const inline = /^[ \t>]*subject:[ \t]*(.+)$/im.exec(text.slice(Math.max(0, text.search(/^[ \t>]*message-id:/im))));
    originalSubject = inline && originalMessageId ? inline[1].trim() : null;
  }
  return { originalMessageId, originalSubject, reportingMta, recipients, source };
};

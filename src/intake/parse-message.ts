/**
 * Raw RFC 822 bytes → ParsedMessage.
 *
 * Parser choice (measured by `npm run bench:parse` on ../shared/data, 713 real messages): mailparser's
 * simpleParser with its HTML↔text conversions switched off parses ~2.4x faster than with its defaults
 * and ~1.3x faster than postal-mime, and is 10x faster than postal-mime on a 2 MB format=flowed body.
 * We never need mailparser's text→HTML or link rewriting; when a message has HTML but no text part we
 * derive text ourselves, bounded by MAX_HTML_TO_TEXT_CHARS.
 *
 * Bounds: the caller has already enforced the byte limit; here the MIME part count is counted by a
 * cheap scan before parsing (MAX_MIME_PARTS) and mailparser enforces the same via maxChildNodes.
 */
import { createHash } from 'node:crypto';
import { compile as compileHtmlToText } from 'html-to-text';
import libmime from 'libmime';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { Address, ParsedAttachment, ParsedMessage } from './parsed-message.js';
import { MAX_HEADER_BYTES, MAX_HTML_TO_TEXT_CHARS, MAX_MIME_PARTS, MAX_STORED_HTML_CHARS, MAX_STORED_TEXT_CHARS } from './limits.js';

/** The message cannot be parsed at all; `reason` is fit for the quarantine list. */
export class UnparseableMessageError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'UnparseableMessageError';
  }
}

const CONTENT_TYPE_SCAN = /^content-type:[ \t]*([^;\s]+)/gim;

/** Lower-case MIME types of every Content-Type header in the raw bytes, in order (cheap; no parsing). */
export const scanPartTypes = (raw: Buffer, max = MAX_MIME_PARTS + 1): string[] => {
  const types: string[] = [];
  const text = raw.toString('latin1');
  CONTENT_TYPE_SCAN.lastIndex = 0;
  for (let m = CONTENT_TYPE_SCAN.exec(text); m && types.length < max; m = CONTENT_TYPE_SCAN.exec(text)) {
    types.push(m[1].toLowerCase());
  }
  return types;
};

const stripBrackets = (id: string): string => id.trim().replace(/^<+|>+$/g, '').trim();

/** Splits a References / In-Reply-To value into ids without brackets. */
export const parseMessageIdList = (value: string | string[] | undefined): string[] => {
  if (!value) return [];
  const joined = Array.isArray(value) ? value.join(' ') : value;
  const bracketed = joined.match(/<[^<>\s]+>/g);
  if (bracketed) return bracketed.map(stripBrackets).filter(Boolean);
  return joined.split(/[\s,]+/).map(stripBrackets).filter(Boolean);
};

const toAddresses = (value: AddressObject | AddressObject[] | undefined): Address[] => {
  const objects = value ? (Array.isArray(value) ? value : [value]) : [];
  const out: Address[] = [];
  const visit = (entries: AddressObject['value']) => {
    for (const e of entries) {
      if (e.group) visit(e.group);
      else if (e.address && e.address.includes('@')) out.push({ name: (e.name ?? '').trim(), address: e.address.trim() });
    }
  };
  for (const o of objects) visit(o.value);
  return out;
};

const decodeHeaderValue = (value: string): string => {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
};

const collectHeaders = (mail: ParsedMail): Record<string, string[]> => {
  const headers: Record<string, string[]> = {};
  for (const { key, line } of mail.headerLines) {
    const colon = line.indexOf(':');
    const value = decodeHeaderValue(line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
    (headers[key] ??= []).push(value);
  }
  return headers;
};

const crudeStripTags = (html: string): string =>
  html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<br\s*\/?>|<\/(p|div|tr|li|h\d)>/gi, '\n').replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/[ \t]+/g, ' ');

/** Compiled once: links without their URLs, no images, no line wrapping, headings as written. */
const htmlToText = compileHtmlToText({
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
});

/** Plain text for an HTML-only message; bounded so a huge HTML body cannot stall the worker. */
export const textFromHtml = (html: string, warnings: string[]): string => {
  if (html.length > MAX_HTML_TO_TEXT_CHARS) {
    warnings.push(`HTML body of ${html.length} characters is over ${MAX_HTML_TO_TEXT_CHARS}: text derived by stripping tags`);
    return crudeStripTags(html.slice(0, MAX_HTML_TO_TEXT_CHARS));
  }
  return htmlToText(html);
};

/**
 * Old Mac mail uses bare CR line endings, which mailparser does not split on (on the bounce corpus's
 * CR-only copies, 31 of 68 parse differently). Only a message with no LF at all in its header block is
 * converted, so a binary attachment's stray CR bytes in ordinary mail are never touched.
 */
export const normalizeBareCr = (raw: Buffer): Buffer => {
  const head = raw.subarray(0, Math.min(raw.length, 8192));
  if (head.includes(0x0a) || !head.includes(0x0d)) return raw;
  return Buffer.from(raw.toString('latin1').replace(/\r(?!\n)/g, '\r\n'), 'latin1');
};

/** RFC 5322 date (with the obsolete forms Date.parse accepts), or null. Comments like `(UTC)` are dropped. */
export const parseDateHeader = (value: string | undefined): Date | null => {
  if (!value) return null;
  const cleaned = value.replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  const t = Date.parse(cleaned);
  return Number.isNaN(t) ? null : new Date(t);
};

const truncate = (s: string, max: number, what: string, warnings: string[]): string => {
  if (s.length <= max) return s;
  warnings.push(`${what} truncated from ${s.length} to ${max} characters (the raw message keeps all of it)`);
  return s.slice(0, max);
};

/**
 * Parses one raw message. Throws UnparseableMessageError (with a reason for the quarantine) when the
 * message exceeds a structural limit or the parser gives up; anything it can repair becomes a warning.
 */
export const parseMessage = async (input: Buffer): Promise<ParsedMessage> => {
  const raw = normalizeBareCr(input);
  const partTypes = scanPartTypes(raw);
  if (partTypes.length > MAX_MIME_PARTS) {
    throw new UnparseableMessageError(`message has more than ${MAX_MIME_PARTS} MIME parts`);
  }
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
      keepCidLinks: true,
      maxHeadSize: MAX_HEADER_BYTES,
      maxChildNodes: MAX_MIME_PARTS,
    });
  } catch (err) {
    throw new UnparseableMessageError(`MIME parser failed: ${(err as Error).message}`);
  }
  const warnings: string[] = [];
  const headers = collectHeaders(mail);
  const html = typeof mail.html === 'string' && mail.html.length > 0 ? mail.html : null;
  let text = mail.text ?? '';
  if (!text.trim() && html) text = textFromHtml(html, warnings);

  // mailparser substitutes the current time for an unparseable Date; we parse the header ourselves so
  // the result depends on the bytes only.
  const date = parseDateHeader(headers.date?.[0]);
  if (!date && headers.date) warnings.push(`unparseable Date header: ${headers.date[0]}`);
  const from = toAddresses(mail.from)[0] ?? null;
  if (!from && headers.from) warnings.push(`unparseable From header: ${headers.from[0]}`);
  const messageId = mail.messageId ? stripBrackets(mail.messageId) || null : null;

  const attachments: ParsedAttachment[] = mail.attachments.map((a) => ({
    filename: a.filename ?? null,
    contentType: (a.contentType || 'application/octet-stream').toLowerCase(),
    size: a.content.length,
    contentId: a.contentId ? stripBrackets(a.contentId) : null,
    disposition: a.contentDisposition === 'inline' ? 'inline' : a.contentDisposition === 'attachment' ? 'attachment' : null,
    sha256: createHash('sha256').update(a.content).digest('hex'),
    content: a.content,
  }));

  const ct = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const contentType = ct?.value
    ? [ct.value.toLowerCase(), ...Object.entries(ct.params ?? {}).filter(([k]) => k !== 'boundary').map(([k, v]) => `${k.toLowerCase()}=${v}`)].join('; ')
    : 'text/plain';

  return {
    messageId,
    date,
    from,
    to: toAddresses(mail.to),
    cc: toAddresses(mail.cc),
    replyTo: toAddresses(mail.replyTo),
    subject: (mail.subject ?? '').replace(/\s+/g, ' ').trim(),
    text: truncate(text, MAX_STORED_TEXT_CHARS, 'text body', warnings),
    html: html ? truncate(html, MAX_STORED_HTML_CHARS, 'HTML body', warnings) : null,
    inReplyTo: parseMessageIdList(mail.inReplyTo)[0] ?? null,
    references: parseMessageIdList(mail.references),
    headers,
    contentType,
    partTypes,
    attachments,
    warnings,
  };
};

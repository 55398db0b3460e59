/**
 * The normalized form of one inbound e-mail, produced by `parse-message.ts` and read by every pure
 * stage after it (detection, quote stripping, threading, classification, rules). Nothing here holds
 * I/O handles: a ParsedMessage can be rebuilt from the stored raw bytes at any time, which is what
 * backtests and re-processing do.
 */
export type Address = { name: string; address: string };

export type ParsedAttachment = {
  filename: string | null;
  /** lower-case MIME type, e.g. `application/pdf`, `message/delivery-status` */
  contentType: string;
  size: number;
  contentId: string | null;
  disposition: 'attachment' | 'inline' | null;
  sha256: string;
  /** the decoded bytes; stored content-addressed by the intake, never in a database row */
  content: Buffer;
};

export type ParsedMessage = {
  /** Message-ID without angle brackets, or null when the message has none */
  messageId: string | null;
  date: Date | null;
  from: Address | null;
  to: Address[];
  cc: Address[];
  replyTo: Address[];
  /** RFC 2047 decoded, whitespace-folded */
  subject: string;
  /** the plain-text body (the text/plain part, or text derived from HTML when there is none) */
  text: string;
  /** the HTML body as sent: unsanitized, never shown to a browser without `sanitize-html` */
  html: string | null;
  /** without angle brackets */
  inReplyTo: string | null;
  /** without angle brackets, oldest first */
  references: string[];
  /** header name (lower case) → every value, unfolded and decoded, in order of appearance */
  headers: Record<string, string[]>;
  /** top-level Content-Type, lower case with parameters, e.g. `multipart/report; report-type=delivery-status` */
  contentType: string;
  /** lower-case MIME types of every part in document order, top level first */
  partTypes: string[];
  attachments: ParsedAttachment[];
  /** what the parser had to repair or give up on (bad charset, truncated HTML, part limit hit...) */
  warnings: string[];
};

/** First value of a header, or undefined. `name` is matched case-insensitively. */
export const headerValue = (message: Pick<ParsedMessage, 'headers'>, name: string): string | undefined =>
  message.headers[name.toLowerCase()]?.[0];

/**
 * Finds the sender's signature at the end of a reply (after quoted history is gone), for strip-quotes.ts.
 *
 * Signature starts, strongest first; all are searched only in the last MAX_SIGNATURE_LINES lines:
 *  - the RFC 3676 delimiter "-- " (and "--" alone): everything below it;
 *  - a rule line of underscores or dashes ("______", mailing-list footers, Outlook web separators);
 *  - an automatic mobile/webmail footer ("Sent from my iPhone", "Von meinem iPhone gesendet", "Envoyé de
 *    mon iPhone", "Get Outlook for iOS", ... see quotes-patterns.ts MOBILE_FOOTER);
 *  - a "-Name" sign-off (a dash glued to a capitalized name, github/email_reply_parser).
 *  The last three count only when nothing but blank lines and further signature material follows, so a
 *  "Sent from my ..." sentence in the middle of a reply stays.
 *  - When the sender is known: the last short paragraph that names the sender (display name or address),
 *    extended up over an adjacent rule line ("----------------") that opens the block — a signature
 *    without any delimiter (mailgun/talon's signature fixtures). A sign-off line in that paragraph
 *    ("Thank you,\nNoam") goes with it.
 * Greetings and sign-offs without the sender's name ("Thanks,\nAlex" with no sender given) stay text:
 * they are part of what the person wrote.
 */
import { DASH_NAME, MOBILE_FOOTER, RULE_LINE, SIGNATURE_DELIMITER } from './quotes-patterns.js';

/** A signature is looked for only this many lines from the end. */
export const MAX_SIGNATURE_LINES = 30;
/** Lines of a sender-name signature block are at most this long (addresses, titles, phone numbers). */
const MAX_SIGNATURE_LINE_CHARS = 80;

const isEmpty = (line: string): boolean => line.trim() === '';

/** Who sent the message, to recognize a signature that names them. */
export type SignatureSender = { name?: string | null; address?: string | null };

/** The lines before the signature, and the signature's lines (empty when none). */
export type SignatureResult = { lines: string[]; signature: string[] };

const isWeakMarker = (line: string): boolean => MOBILE_FOOTER.some((re) => re.test(line)) || DASH_NAME.test(line);

/** Most non-blank lines a rule-line footer may have below the rule. */
const MAX_RULE_FOOTER_LINES = 12;

/** Index where a marked signature starts, or -1. Walks up from the end; see the header of this file. */
const markedSignatureStart = (lines: readonly string[]): number => {
  const floor = Math.max(1, lines.length - MAX_SIGNATURE_LINES);
  let start = -1;
  for (let i = lines.length - 1; i >= floor; i--) {
    const line = lines[i];
    if (isEmpty(line)) continue;
    if (SIGNATURE_DELIMITER.test(line)) {
      start = i;
      continue;
    }
    const below = start >= 0 ? start : lines.length;
    if (RULE_LINE.test(line) && isEmpty(lines[i - 1] ?? '')) {
      if (lines.slice(i + 1).filter((l) => !isEmpty(l)).length <= MAX_RULE_FOOTER_LINES) start = i;
      continue;
    }
    if (isWeakMarker(line) && lines.slice(i + 1, below).every(isEmpty)) start = i;
  }
  return start;
};

const words = (s: string): string[] => s.toLowerCase().split(/[^\p{L}\d]+/u).filter((w) => w.length > 1);

const namesSender = (line: string, sender: SignatureSender): boolean => {
  const lower = line.toLowerCase();
  const address = sender.address?.trim().toLowerCase();
  if (address && lower.includes(address)) return true;
  const nameWords = words(sender.name ?? '');
  if (nameWords.length === 0) return false;
  const lineWords = words(line);
  if (nameWords.length >= 2) return nameWords.every((w) => lineWords.includes(w));
  // A one-word name must be (almost) the whole line, so "Noam" matches "Noam" but not "Noam said that".
  return lineWords.includes(nameWords[0]) && lineWords.length <= 3;
};

/** Index where a sender-name signature block starts, or -1. */
const senderSignatureStart = (lines: readonly string[], sender: SignatureSender): number => {
  const floor = Math.max(1, lines.length - MAX_SIGNATURE_LINES);
  for (let i = lines.length - 1; i >= floor; i--) {
    if (isEmpty(lines[i]) || !namesSender(lines[i], sender)) continue;
    // The paragraph around the name: contiguous non-blank lines, all short.
    let start = i;
    while (start - 1 >= 0 && !isEmpty(lines[start - 1])) start--;
    let end = i;
    while (end + 1 < lines.length && !isEmpty(lines[end + 1])) end++;
    if (lines.slice(start, end + 1).some((l) => l.trim().length > MAX_SIGNATURE_LINE_CHARS)) continue;
    if (start === 0) return -1;
    // Everything below the paragraph must be short lines too (the rest of the signature block).
    if (lines.slice(end + 1).some((l) => l.trim().length > MAX_SIGNATURE_LINE_CHARS)) continue;
    // A rule line a few short lines above opens the block ("----------------\n\nLOGO\n\nName").
    for (let j = start - 1; j >= Math.max(1, start - 6); j--) {
      if (RULE_LINE.test(lines[j])) return j;
      if (lines[j].trim().length > MAX_SIGNATURE_LINE_CHARS) break;
    }
    return start;
  }
  return -1;
};

/**
 * Splits the trailing signature off `lines`. Returns the remaining lines and the signature lines
 * (empty when none was found). The first line is never taken as a signature.
 */
export const extractSignature = (lines: readonly string[], sender?: SignatureSender): SignatureResult => {
  let end = lines.length;
  while (end > 0 && isEmpty(lines[end - 1])) end--;
  const body = lines.slice(0, end);
  let start = markedSignatureStart(body);
  if (start < 0 && sender) start = senderSignatureStart(body, sender);
  if (start <= 0) return { lines: [...body], signature: [] };
  return { lines: body.slice(0, start), signature: body.slice(start) };
};

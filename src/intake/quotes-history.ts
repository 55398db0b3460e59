/**
 * Finds and removes quoted history in a reply, line by line. Used by strip-quotes.ts for plain text and
 * for HTML converted by quotes-html.ts.
 *
 * 1. Every line gets a mark (the approach of mailgun/talon):
 *    `m` quoted (`>` prefix, or inside an HTML quote container), `s` splitter (an attribution
 *    "On … wrote:" and its translations, possibly wrapped over up to five lines; an Outlook header block
 *    "From: / Sent: / To: / Subject:" in 20 languages with the separator line above it; an "-----Original
 *    Message-----" separator; a "<date> <name> <address>:" line), `f` forward marker, `e` empty, `t` text.
 *    A single unmarked line squeezed between two quoted lines is a wrapped quoted line (a long link that
 *    lost its `>`), so it becomes `m`. Without any splitter, fewer than three `>` lines are text
 *    (">>> >>> http://..." is not a quote).
 * 2. If the first marker is a forward, nothing is removed: a forward's content is the message.
 * 3. Quote blocks are runs of `s`, `m` and `e` lines that contain an `s` or an `m`. A splitter followed by
 *    unmarked text (Outlook's header block, Gmail's "On … wrote:" above an unquoted original) quotes
 *    everything to the end.
 * 4. What is removed:
 *    - the last block, when only blank lines or a signature follow it (top-posting, the common case);
 *    - the only block, when real text follows it (bottom-posting, or a sign-off after the quote):
 *      the text before and after is kept;
 *    - with two or more blocks and new text between them (inline answers), only the trailing block:
 *      the quoted questions stay as the context of the answers (github/email_reply_parser semantics).
 */
import {
  ATTRIBUTION_OPENER,
  DATE_LIKE,
  DASH_NAME,
  EMAIL_LIKE,
  FORWARD_MARKER,
  HEADER_KIND,
  MAX_MARKER_LINE_CHARS,
  MOBILE_FOOTER,
  ORIGINAL_MESSAGE_SEPARATOR,
  RULE_LINE,
  SENT_AT_END,
  SIGNATURE_DELIMITER,
  STARTS_WITH_DATE,
  WROTE_AT_END,
  WROTE_BEFORE_NAME,
} from './quotes-patterns.js';
import type { HintedLine } from './quotes-html.js';

/** Line marks: quoted, splitter, forward marker, empty, text. */
export type Mark = 'm' | 's' | 'f' | 'e' | 't';

/** How many lines an attribution may be wrapped over ("On <date>, <name>\n<address>\nwrote:"). */
const MAX_ATTRIBUTION_LINES = 5;
/** How many lines an Outlook header block may span, counting wrapped values. */
const MAX_HEADER_BLOCK_LINES = 14;

const isQuoted = (line: string): boolean => /^\s*>/.test(line);
const isEmpty = (line: string): boolean => line.trim() === '';

/** Does `joined` (one or more lines, joined by spaces) read as an attribution line? */
const isAttribution = (joined: string, nextIsQuote: boolean): boolean => {
  if (joined.length > MAX_MARKER_LINE_CHARS) return false;
  const text = joined.replace(/^[\s>*-]+/, '').replace(/\s+/g, ' ').trim();
  // Without a colon, an address, trailing dashes or a quote below, only "<date> … wrote" can qualify.
  if (!nextIsQuote && !/[:：]$|-{2,}$/.test(text) && !text.includes('@')) return WROTE_AT_END.test(text) && DATE_LIKE.test(text);
  // "... wrote:" needs company: a date, an address, a quote right after it, or Android's "---- X wrote ----".
  if (WROTE_AT_END.test(text)) return DATE_LIKE.test(text) || EMAIL_LIKE.test(text) || nextIsQuote || /^-{2,}/.test(joined.trim());
  if (SENT_AT_END.test(text)) return ATTRIBUTION_OPENER.test(text) && EMAIL_LIKE.test(text) && DATE_LIKE.test(text);
  if (WROTE_BEFORE_NAME.test(text)) return ATTRIBUTION_OPENER.test(text) && DATE_LIKE.test(text) && /[:：]$/.test(text);
  // "<date> <name> <address>:" (Gmail's old format, mail.ru, Yandex, Android) with or without the colon.
  if (STARTS_WITH_DATE.test(text) && EMAIL_LIKE.test(text)) return /[:：]$/.test(text) || nextIsQuote;
  // Any "… <date> … <address>:" directly above a ">" quote (Gmail in languages without a verb, e.g. ru).
  return nextIsQuote && /[:：]$/.test(text) && DATE_LIKE.test(text) && EMAIL_LIKE.test(text);
};

const nextNonEmpty = (lines: readonly string[], from: number): number => {
  for (let i = from; i < lines.length; i++) if (!isEmpty(lines[i])) return i;
  return -1;
};

/** Length (in lines) of an attribution starting at `i`, or 0. */
const attributionAt = (lines: readonly string[], i: number): number => {
  const first = lines[i];
  if (isQuoted(first) || first.length > MAX_MARKER_LINE_CHARS) return 0;
  const nextQuoted = (after: number) => {
    const n = nextNonEmpty(lines, after);
    return n >= 0 && isQuoted(lines[n]);
  };
  if (isAttribution(first, nextQuoted(i + 1))) return 1;
  // Wrapped attributions must start like one: an opener word or a date, and carry a date.
  if (!ATTRIBUTION_OPENER.test(first) && !STARTS_WITH_DATE.test(first)) return 0;
  // Cheap look-ahead first: a wrapped attribution ends in a colon, dashes or a verb, or carries an address.
  const windowEnd = Math.min(lines.length, i + MAX_ATTRIBUTION_LINES);
  let plausible = false;
  for (let j = i + 1; j < windowEnd && !plausible; j++) {
    plausible = lines[j].length <= MAX_MARKER_LINE_CHARS && (/[:：]\s*$|-{2,}\s*$|@/.test(lines[j]) || WROTE_AT_END.test(lines[j].trim()));
  }
  if (!plausible) return 0;
  let joined = first.trim();
  for (let j = i + 1; j < windowEnd; j++) {
    if (isEmpty(lines[j])) continue;
    if (isQuoted(lines[j]) && !/^\s*>\s*(?:wrote|\S+@)/i.test(lines[j])) return 0;
    joined = `${joined} ${lines[j].trim()}`;
    if (joined.length > MAX_MARKER_LINE_CHARS) return 0;
    if (isAttribution(joined, nextQuoted(j + 1)) && DATE_LIKE.test(joined)) return j - i + 1;
  }
  return 0;
};

const headerKind = (line: string): string | null => {
  if (line.length > MAX_MARKER_LINE_CHARS || !/[:：]/.test(line)) return null;
  for (const k of HEADER_KIND) if (k.re.test(line)) return k.kind;
  return null;
};

/**
 * Length of an Outlook-style header block starting at `i` ("From: / Sent: / To: / Subject:"), or 0.
 * It must start with From or a date, name at least two different headers (three, or two plus an address
 * or a date), and may have wrapped values.
 */
const headerBlockAt = (lines: readonly string[], i: number): number => {
  const startKind = headerKind(lines[i]);
  if (startKind !== 'from' && startKind !== 'date') return 0;
  const kinds = new Set([startKind]);
  let last = i;
  let continuation = 0;
  for (let j = i + 1; j < Math.min(lines.length, i + MAX_HEADER_BLOCK_LINES); j++) {
    const k = headerKind(lines[j]);
    if (k) {
      kinds.add(k);
      last = j;
      continuation = 0;
      continue;
    }
    // A wrapped value ("[mailto:\n bob@example.com]") or one blank line inside the block.
    if (++continuation > 2 || (isEmpty(lines[j]) && isEmpty(lines[j + 1] ?? ''))) break;
  }
  if (kinds.size < 2) return 0;
  // Two labels alone can be prose ("From: my phone it fails.\nA: No."): ask for an address or a date too.
  const block = lines.slice(i, last + 1).join('\n');
  return kinds.size >= 3 || EMAIL_LIKE.test(block) || DATE_LIKE.test(block) ? last - i + 1 : 0;
};

/** Marks every line; see the header of this file. */
export const markLines = (lines: readonly string[], hints?: ReadonlyArray<HintedLine['hint']>): Mark[] => {
  const marks: Mark[] = lines.map((l) => (isEmpty(l) ? 'e' : isQuoted(l) ? 'm' : 't'));
  if (hints) hints.forEach((h, i) => {
    if (h === 'quote' && marks[i] !== 'e') marks[i] = 'm';
    if (h === 'splitter' && marks[i] !== 'e') marks[i] = 's';
  });
  for (let i = 0; i < lines.length; i++) {
    if (marks[i] !== 't') continue;
    if (FORWARD_MARKER.test(lines[i])) {
      marks[i] = 'f';
      continue;
    }
    if (ORIGINAL_MESSAGE_SEPARATOR.test(lines[i])) {
      marks[i] = 's';
      continue;
    }
    const header = headerBlockAt(lines, i);
    if (header > 0) {
      // The rule line or separator right above belongs to the splitter.
      const above = i > 0 && (RULE_LINE.test(lines[i - 1]) || ORIGINAL_MESSAGE_SEPARATOR.test(lines[i - 1])) ? i - 1 : i;
      for (let j = above; j < i + header; j++) if (marks[j] !== 'm') marks[j] = 's';
      i += header - 1;
      continue;
    }
    const attribution = attributionAt(lines, i);
    if (attribution > 0) {
      for (let j = i; j < i + attribution; j++) if (marks[j] !== 'e') marks[j] = 's';
      i += attribution - 1;
    }
  }
  // A single unmarked line between two quoted lines is a quoted line that lost its marker.
  for (let i = 1; i < marks.length - 1; i++) {
    if (marks[i] === 't' && marks[i - 1] === 'm' && marks[i + 1] === 'm') marks[i] = 'm';
  }
  // Without a splitter, a few ">" lines are not enough to call something a quote.
  if (!hints?.some((h) => h === 'quote') && !marks.includes('s') && marks.filter((m) => m === 'm').length < 3) {
    return marks.map((m) => (m === 'm' ? 't' : m));
  }
  return marks;
};

type Block = { start: number; end: number };

/** Quote blocks: maximal runs of s/m/e containing an s or m; a splitter followed by text runs to the end. */
const quoteBlocks = (marks: readonly Mark[]): Block[] => {
  const blocks: Block[] = [];
  let i = 0;
  while (i < marks.length) {
    if (marks[i] !== 's' && marks[i] !== 'm') {
      i++;
      continue;
    }
    let end = i;
    let j = i;
    while (j < marks.length && (marks[j] === 's' || marks[j] === 'm' || marks[j] === 'e')) {
      if (marks[j] !== 'e') end = j;
      j++;
    }
    // A splitter whose quote is not marked with ">" (the next non-empty line is text) quotes to the end.
    const lastSplitter = marks.slice(i, end + 1).lastIndexOf('s');
    if (lastSplitter >= 0 && !marks.slice(i + lastSplitter + 1, end + 1).includes('m') && j < marks.length) {
      blocks.push({ start: i, end: marks.length - 1 });
      return blocks;
    }
    // Blank lines after a block belong to it.
    while (end + 1 < marks.length && marks[end + 1] === 'e') end++;
    blocks.push({ start: i, end });
    i = end + 1;
  }
  return blocks;
};

/** True when the lines hold nothing but blank lines and signature material. */
const onlySignature = (lines: readonly string[]): boolean => {
  const first = nextNonEmpty(lines, 0);
  if (first < 0) return true;
  const line = lines[first];
  return SIGNATURE_DELIMITER.test(line) || RULE_LINE.test(line) || DASH_NAME.test(line) || MOBILE_FOOTER.some((re) => re.test(line));
};

/** Output of removeQuotedHistory. */
export type QuotedHistoryResult = {
  /** the lines that remain */
  lines: string[];
  /** true when something was removed */
  quoted: boolean;
  /** the lines after the removed trailing quote, when they were only a signature (kept for the caller) */
  trailingSignature: string[];
};

/**
 * Removes quoted history from the lines of a message (see the header of this file).
 * `hints` come from quotes-html.ts when the lines were converted from HTML.
 */
export const removeQuotedHistory = (lines: readonly string[], hints?: ReadonlyArray<HintedLine['hint']>): QuotedHistoryResult => {
  const split = splitSharedLines(lines, hints);
  const marks = markLines(split.lines, split.hints);
  const firstMarker = marks.findIndex((m) => m === 's' || m === 'm' || m === 'f');
  if (firstMarker < 0 || marks[firstMarker] === 'f') return { lines: [...split.lines], quoted: false, trailingSignature: [] };

  const blocks = quoteBlocks(marks);
  if (blocks.length === 0) return { lines: [...split.lines], quoted: false, trailingSignature: [] };
  const last = blocks[blocks.length - 1];
  const tail = split.lines.slice(last.end + 1);
  if (onlySignature(tail)) {
    return { lines: split.lines.slice(0, last.start), quoted: true, trailingSignature: tail };
  }
  if (blocks.length === 1) {
    return { lines: [...split.lines.slice(0, last.start), ...tail], quoted: true, trailingSignature: [] };
  }
  // Inline answers with text after the last quote: everything stays.
  return { lines: [...split.lines], quoted: true, trailingSignature: [] };
};

/**
 * "reply--- On <date>, <name> wrote:" on one line (talon's "splitter shares a line"): the part before
 * the dashes is reply text, the rest the attribution.
 */
const splitSharedLines = (lines: readonly string[], hints?: ReadonlyArray<HintedLine['hint']>) => {
  const out: string[] = [];
  const outHints: Array<HintedLine['hint']> = [];
  lines.forEach((line, i) => {
    const m = line.length <= MAX_MARKER_LINE_CHARS ? /^(.*?\S)\s*-{2,}\s*((?:on|le|am|el|op)\s.+)$/i.exec(line) : null;
    if (m && /[\p{L}\d]/u.test(m[1]) && !isQuoted(line) && isAttribution(m[2], false)) {
      out.push(m[1], m[2]);
      outHints.push(hints?.[i] ?? null, hints?.[i] ?? null);
    } else {
      out.push(line);
      outHints.push(hints?.[i] ?? null);
    }
  });
  return { lines: out, hints: hints ? outHints : undefined };
};

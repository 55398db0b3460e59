/**
 * The visible text of a message: what the sender wrote this time, without the quoted history of the
 * conversation and without their signature. Classifiers, rules, suggestions and the agent's first
 * glance read this; the full text is always kept beside it.
 *
 * Patterns (each recognized in quotes-patterns.ts, applied in quotes-history.ts / quotes-signature.ts):
 *  - attribution lines, also wrapped over up to five lines: en "On <date>, <name> wrote:", de "Am … schrieb
 *    …:", fr "Le … a écrit :", es "El … escribió:", it "Il … ha scritto:", nl "Op … schreef …:" / "het
 *    volgende geschreven:", pt "Em … escreveu:", sv/da/no "Den/På … skrev:", pl "W dniu … napisał(a):",
 *    cs "Dne … napsal(a):", ru "… пишет:" / "пользователь … написал:", fi, hu, tr, vi, ja "…のメッセージ:",
 *    zh "…写道：", ko; Android "---- <name> wrote ----"; "<date> <name> <address>:" (Gmail's old format,
 *    mail.ru, Yandex). Sources: mailgun/talon and github/email_reply_parser fixtures, client strings.
 *  - Outlook header blocks "From: / Sent: / To: / Subject:" in 20 languages (Von/Gesendet/An/Betreff,
 *    De/Envoyé/À/Objet, De/Enviado/Para/Asunto, Da/Inviato/A/Oggetto, Van/Verzonden/Aan/Onderwerp,
 *    Från/Skickat/Till/Ämne, Od/Wysłano/Do/Temat, От/Отправлено/Кому/Тема, 差出人/送信日時/宛先/件名, ...),
 *    bold (`*From:*`) or plain, with the underscore rule or "-----Original Message-----" separator above
 *    (also its translations: "Ursprüngliche Nachricht", "Message d'origine", "Mensaje original", ...).
 *  - `>` quoted lines (three or more, or any number after a splitter).
 *  - Forward markers (Gmail "---------- Forwarded message ---------", Apple "Begin forwarded message:",
 *    Thunderbird, translations): a message that starts by forwarding keeps everything, because the
 *    forwarded content is what the sender is handing over.
 *  - Signatures: "-- " (RFC 3676), underscore/dash rule footers, "Sent from my iPhone" and the mobile
 *    footers of iOS, Android, Outlook, Yahoo in 14 languages, "-Name" sign-offs, and, when the sender is
 *    passed, a trailing block naming the sender.
 *  - HTML (when the text has no recognizable quote, or there is no text): quote containers are read
 *    from the markup before converting to text — blockquote type=cite / gmail_quote / cite attribute /
 *    left border, div.gmail_quote, moz-cite-prefix, divRplyFwdMsg, OLK_SRC_BODY_SECTION, appendonsend,
 *    hr#stopSpelling, hr#zwchr, yahoo_quoted (see quotes-html.ts).
 *
 * Never empty for a message with content: when every line looks quoted (a forward without comment, a
 * reply typed inside the quote), the full text is returned and `allQuoted` says so.
 *
 * Pure and bounded: only the first MAX_QUOTE_TEXT_CHARS of the text are examined.
 */
import { htmlToHintedLines } from './quotes-html.js';
import { removeQuotedHistory } from './quotes-history.js';
import { extractSignature, type SignatureSender } from './quotes-signature.js';

/** Text beyond this length is not examined (and is kept as it is: quoted history sits at the end). */
export const MAX_QUOTE_TEXT_CHARS = 1_000_000;

/** Input of stripQuotes: the bodies of one message, and optionally its sender. */
export type StripQuotesOptions = {
  /** the plain-text body (ParsedMessage.text) */
  text: string;
  /** the HTML body, when the message has one (ParsedMessage.html) */
  html?: string | null;
  /** who sent it (ParsedMessage.from): lets a signature without a delimiter be found by the sender's name */
  sender?: SignatureSender | null;
};

/** Output of stripQuotes. */
export type StripQuotesResult = {
  /** the new part of the message, without quoted history and signature; never empty if the text is not */
  visibleText: string;
  /** true when quoted history was found and removed */
  quoted: boolean;
  /** the signature that was removed, or null */
  signature: string | null;
  /** true when everything looked like quoted history or signature and `visibleText` is the full text */
  allQuoted: boolean;
  /** `html` when the HTML body (not the text) decided what is quoted */
  source: 'text' | 'html';
};

/** The text with quoted history removed but the signature kept (talon's "reply text"). */
export type QuoteStageResult = { text: string; quoted: boolean; lines: string[]; trailingSignature: string[] };

const normalizeNewlines = (text: string): string => text.replace(/\r\n?/g, '\n');

const joinLines = (lines: readonly string[]): string => lines.join('\n').replace(/^\s*\n/, '').replace(/\s+$/, '');

const HTML_QUOTE_MARKERS = /gmail_quote|type=["']?cite|divRplyFwdMsg|OLK_SRC_BODY_SECTION|appendonsend|stopSpelling|zwchr|moz-cite-prefix|yahoo_quoted|protonmail_quote|<blockquote/i;

/**
 * Quotation stage only: removes quoted history from plain text, keeps the signature. Exposed for
 * benches comparing against fixtures that stop there (mailgun/talon's extract_from_plain).
 */
export const removeQuotedText = (text: string): QuoteStageResult => {
  const lines = normalizeNewlines(text.slice(0, MAX_QUOTE_TEXT_CHARS)).split('\n');
  const result = removeQuotedHistory(lines);
  return { text: joinLines(result.lines), quoted: result.quoted, lines: result.lines, trailingSignature: result.trailingSignature };
};

/** Quotation stage for HTML: quote containers from the markup, then the plain-text rules. */
export const removeQuotedHtml = (html: string): QuoteStageResult => {
  const hinted = htmlToHintedLines(html);
  const result = removeQuotedHistory(hinted.map((l) => l.text), hinted.map((l) => l.hint));
  return { text: joinLines(result.lines), quoted: result.quoted, lines: result.lines, trailingSignature: result.trailingSignature };
};

/**
 * Returns the visible text of a message: the new part of a reply without quoted history or signature.
 * Pure; see the header of this file for every pattern and its source.
 *
 * @example
 * const { visibleText, quoted, signature } = stripQuotes({ text: parsed.text, html: parsed.html, sender: parsed.from });
 */
export const stripQuotes = ({ text, html, sender }: StripQuotesOptions): StripQuotesResult => {
  const fullText = normalizeNewlines(text ?? '').replace(/\s+$/, '');
  let stage: QuoteStageResult | null = fullText.trim() ? removeQuotedText(fullText) : null;
  let source: StripQuotesResult['source'] = 'text';
  if ((!stage || !stage.quoted) && html && HTML_QUOTE_MARKERS.test(html)) {
    const fromHtml = removeQuotedHtml(html);
    if (fromHtml.quoted || !stage) {
      stage = fromHtml;
      source = 'html';
    }
  }
  if (!stage) {
    const fromHtml = html ? removeQuotedHtml(html) : null;
    const whole = fromHtml?.text ?? '';
    return { visibleText: whole, quoted: false, signature: null, allQuoted: false, source: fromHtml ? 'html' : 'text' };
  }
  const full = source === 'html' && !fullText.trim() ? joinLines(htmlToHintedLines(html ?? '').map((l) => l.text)) : fullText;

  const { lines, signature } = extractSignature(stage.lines, sender ?? undefined);
  const signatureLines = signature.length > 0 ? signature : stage.trailingSignature.filter((l, i, all) => l.trim() || all.slice(0, i).some((x) => x.trim()));
  const visibleText = joinLines(lines);
  const signatureText = joinLines(signatureLines) || null;
  if (!visibleText.trim()) {
    return { visibleText: full.replace(/^\s*\n/, ''), quoted: stage.quoted, signature: null, allQuoted: true, source };
  }
  return { visibleText, quoted: stage.quoted, signature: signatureText, allQuoted: false, source };
};

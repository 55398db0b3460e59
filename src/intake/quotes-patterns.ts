/**
 * Pattern tables for strip-quotes.ts: how mail clients introduce quoted history, forwarded mail and
 * signatures, by language. Every pattern is applied to one line (or a few joined lines) whose length is
 * capped, with bounded quantifiers, so no input can make them backtrack for long.
 *
 * Sources: the reply headers written by Gmail, Apple Mail, Thunderbird, Outlook (desktop, web, mobile),
 * Yahoo, AOL, Zimbra, mail.ru, Yandex, Samsung/Android mail, Polymail and Sparrow, as collected in the
 * fixtures of mailgun/talon (tests/text_quotations_test.py, tests/fixtures) and github/email_reply_parser
 * (test/emails), plus the localized strings those clients ship (Outlook's header labels and
 * "Original Message" separators, Gmail's "wrote" verbs, iOS/Android "Sent from my ..." footers).
 */

/** Lines longer than this are never tested as attribution or header lines (they are prose). */
export const MAX_MARKER_LINE_CHARS = 400;

/**
 * Verbs that end an attribution line ("On <date>, <name> wrote:"), by language:
 * en wrote / sent (with an address), de schrieb, fr a écrit, es escribió, it ha scritto / scrisse,
 * nl schreef / het volgende geschreven, pt escreveu, sv/da/no skrev, pl napisał(a), cs napsal(a),
 * ru пишет / написал(а), uk написав, fi kirjoitti, hu írta, tr yazdı, vi đã viết, ja 書きました /
 * のメッセージ, zh 写道 / 寫道, ko 작성.
 */
const WROTE_VERBS = String.raw`wrote|writes|schrieb|a écrit|escribió|escribio|ha scritto|scrisse|schreef|geschreven|escreveu|skrev|napisał\(a\)|napisała|napisał|napsal\(a\)|napsala|napsal|пишет|написал\(а\)|написала|написал|написав|kirjoitti|írta|yazdı|đã viết|書きました|のメッセージ|写道|寫道|작성`;
/** The verb ends the line, followed at most by a colon and dashes ("... wrote:", "---- X wrote ----"). */
export const WROTE_AT_END = new RegExp(String.raw`(?:^|[\s>"')\]])(?:${WROTE_VERBS})\s*[:：]?\s*-*$`, 'iu');
/** "On <date>, <name> <address> sent:" (talon): "sent" only counts with an opener and an address. */
export const SENT_AT_END = /\ssent\s*[:：]$/iu;
/** de/nl/sv/da/no put the verb before the name: "Am <date> schrieb <name>:", "Op <date> schreef <name>:". */
export const WROTE_BEFORE_NAME = /\s(?:schrieb|schreef|skrev)\s/iu;

/** Words that open an attribution line: "On", "Le", "Am", "El", "Il giorno", "Op", "Em", "Den", "På", "W dniu", "Dne", "Vào", "在". */
export const ATTRIBUTION_OPENER =
  /^\s*[-*>\s]*(?:on|le|am|el|il(?: giorno)?|op|em|den|på|w dniu|dne|vào|el día|在)\s+\S/iu;

/** Something that looks like a date or time: a year, a clock time, a numeric date, or 年/月 forms. */
export const DATE_LIKE =
  /\b(?:19|20)\d{2}\b|\b\d{1,2}:\d{2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\d{1,4}年|\d{1,2}月/u;

/** An e-mail address, possibly wrapped in <> or mailto:. */
export const EMAIL_LIKE = /[^\s<>()"':;,[\]@]{1,64}@[^\s<>()"':;,[\]@]{1,255}\.[a-z]{2,}/i;

/** A line that starts with a date (numeric, ISO, or a weekday/month name followed by digits). */
export const STARTS_WITH_DATE =
  /^\s*(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}年|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+\d{1,2}\s+\w+\s+\d{4}|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s+\d{4})/iu;

/**
 * Outlook-style header labels that start a "From: / Sent: / To: / Subject:" block, by language (Outlook,
 * Outlook Web, Windows Mail, Thunderbird's forward headers, Hotmail): en From, de Von, fr De / Expéditeur,
 * es/pt De / Remitente / Remetente, it Da / Mittente, nl Van, sv Från, da/no Fra, pl Od / Nadawca,
 * ru От / Отправитель, cs Od, fi Lähettäjä, hu Feladó, tr Kimden, vi Từ, ja 差出人, zh 发件人 / 寄件者, ko 보낸 사람.
 */
export const HEADER_FROM_LABELS = String.raw`from|von|de|expéditeur|remitente|remetente|da|mittente|van|från|fra|od|nadawca|от|отправитель|lähettäjä|feladó|kimden|từ|差出人|发件人|寄件者|보낸 사람`;

/** The other labels of such a block (sent/date, to, cc, subject) in the same languages. */
export const HEADER_OTHER_LABELS = String.raw`sent|date|to|cc|bcc|subject|reply-to|gesendet|datum|an|kopie|betreff|envoyé|date|à|a|cc|objet|enviado|fecha|para|asunto|inviato|data|oggetto|verzonden|datum|aan|onderwerp|skickat|till|kopia|ämne|sendt|til|emne|wysłano|data|do|temat|отправлено|дата|кому|копия|тема|odesláno|komu|předmět|lähetetty|vastaanottaja|aihe|elküldve|címzett|tárgy|gönderildi|kime|konu|đã gửi|đến|chủ đề|送信日時|日付|宛先|件名|发送时间|日期|收件人|主题|寄件日期|收件者|主旨|보낸 날짜|받는 사람|제목`;

/** One header line of an Outlook-style block: optional `*`/`>`/indent, label, optional `*`, colon. */
export const headerLineRe = (labels: string): RegExp => new RegExp(String.raw`^\s*[*>]*\s*(?:${labels})\s*\*?\s*[:：]\s*\*?`, 'iu');
/** A 'From:' line of an Outlook-style block, in any of the languages above. */
export const HEADER_FROM_LINE = headerLineRe(HEADER_FROM_LABELS);
/** Which header a header line names, normalized to `from` / `date` / `to` / `subject` / `cc`. */
export const HEADER_KIND: ReadonlyArray<{ kind: string; re: RegExp }> = [
  { kind: 'from', re: HEADER_FROM_LINE },
  { kind: 'date', re: headerLineRe(String.raw`sent|date|gesendet|datum|envoyé|enviado|fecha|inviato|data|verzonden|skickat|sendt|wysłano|отправлено|дата|odesláno|lähetetty|elküldve|gönderildi|đã gửi|送信日時|日付|发送时间|日期|寄件日期|보낸 날짜`) },
  { kind: 'to', re: headerLineRe(String.raw`to|an|à|a|para|aan|till|til|do|кому|komu|vastaanottaja|címzett|kime|đến|宛先|收件人|收件者|받는 사람`) },
  { kind: 'cc', re: headerLineRe(String.raw`cc|bcc|kopie|kopia|копия`) },
  { kind: 'subject', re: headerLineRe(String.raw`subject|betreff|objet|asunto|oggetto|onderwerp|ämne|emne|temat|тема|předmět|aihe|tárgy|konu|chủ đề|件名|主题|主旨|제목`) },
];

/** Separator lines that Outlook, AOL, Zimbra, Thunderbird and Samsung put above quoted history. */
export const ORIGINAL_MESSAGE_SEPARATOR =
  /^\s*[-=_*]{2,}\s*(?:original message|original e-?mail|reply message|ursprüngliche nachricht|originalnachricht|message d'origine|message original|mensaje original|messaggio originale|oorspronkelijk bericht|origineel bericht|mensagem original|ursprungligt meddelande|originalmeddelelse|opprinnelig melding|original melding|wiadomość oryginalna|oryginalna wiadomość|исходное сообщение|původní zpráva|alkuperäinen viesti|eredeti üzenet|orijinal mesaj|原始邮件|原始郵件|元のメッセージ|원본 메시지)\s*[-=_*]{2,}\s*$/iu;

/** A rule line (underscores or dashes only): Outlook Web puts one right above the header block. */
export const RULE_LINE = /^\s*(?:_{5,}|-{5,}|={5,})\s*$/;

/**
 * Forward markers. A forward's content *is* what the sender is giving us, so a message whose first
 * marker is a forward keeps everything (see strip-quotes.ts): Gmail "---------- Forwarded message",
 * Apple "Begin forwarded message:", Thunderbird "-------- Forwarded Message --------", Outlook
 * mobile, and translations.
 */
export const FORWARD_MARKER =
  /^\s*(?:[-=_*]{2,}\s*)?(?:forwarded message|forwarded e-?mail|begin forwarded message|weitergeleitete nachricht|anfang der weitergeleiteten nachricht|message transféré|début du message (?:réexpédié|transféré)|mensaje reenviado|inicio del mensaje reenviado|messaggio inoltrato|inizio messaggio inoltrato|doorgestuurd bericht|begin doorgestuurd bericht|mensagem encaminhada|início da mensagem encaminhada|vidarebefordrat meddelande|videresendt meddelelse|videresendt melding|przekazana wiadomość|wiadomość przekazana|пересылаемое сообщение|пересланное сообщение|přeposlaná zpráva|välitetty viesti|továbbított üzenet|iletilen mesaj|転送されたメッセージ|转发的邮件|轉寄的郵件)\s*:?\s*(?:[-=_*]{2,})?\s*$/iu;

/**
 * Mobile and webmail footers that clients append automatically ("Sent from my iPhone"); treated as a
 * signature when they sit at the end of the reply. The "my ..." form allows one to five words and no
 * punctuation, so "Sent from my desk, is much easier..." stays text (github/email_reply_parser).
 */
export const MOBILE_FOOTER: readonly RegExp[] = [
  /^\s*sent from my\s+[\p{L}\d'’&.-]+(?:\s+[\p{L}\d'’&.-]+){0,4}\s*$/iu,
  /^\s*(?:sent|envoyé|enviado|inviato|verzonden|skickat|sendt|wysłane|отправлено|gesendet) (?:from|via|with|using|de|desde|dal|da|van|från|fra|z|с|von|mit|do|depuis|à partir de)\s+(?:outlook|yahoo mail|mail|samsung mobile|windows mail|gmail|proton ?mail|blackberry|sparrow|airmail|spark|mailbird)\b[\p{L}\d'’ .-]{0,40}$/iu,
  /^\s*get outlook for (?:ios|android)\s*$/iu,
  /^\s*sent (?:via|with|using) [\p{L}\d'’&. -]{1,40}(?:\s*\(\S+\))?\s*$/iu,
  /^\s*von meinem [\p{L}\d'’ -]{1,40} gesendet\s*$/iu,
  /^\s*gesendet von meinem [\p{L}\d'’ -]{1,40}$/iu,
  /^\s*envoyé (?:de|depuis) mon [\p{L}\d'’ -]{1,40}$/iu,
  /^\s*enviado desde mi [\p{L}\d'’ -]{1,40}$/iu,
  /^\s*inviato da(?:l mio)? [\p{L}\d'’ -]{1,40}$/iu,
  /^\s*(?:verzonden|verstuurd) (?:vanaf|met|van) (?:mijn )?[\p{L}\d'’ -]{1,40}$/iu,
  /^\s*enviado (?:do|de) (?:meu|minha|mi) [\p{L}\d'’ -]{1,40}$/iu,
  /^\s*skickat från min [\p{L}\d'’ -]{1,40}$/iu,
  /^\s*sendt fra min [\p{L}\d'’ -]{1,40}$/iu,
  /^\s*wysłane z (?:mojego )?[\p{L}\d'’ -]{1,40}$/iu,
  /^\s*отправлено с (?:моего )?[\p{L}\d'’ -]{1,40}$/iu,
  /^\s*odesláno z [\p{L}\d'’ -]{1,40}$/iu,
  /^\s*lähetetty [\p{L}\d'’ -]{1,40}$/iu,
  /^\s*[\p{L}\d'’ -]{1,30}から送信\s*$/u,
  /^\s*(?:发自我的|從我的)[\p{L}\d'’ -]{1,30}(?:傳送)?\s*$/u,
];

/** The RFC 3676 signature delimiter "-- " (and the common "--" without the space), alone on its line. */
export const SIGNATURE_DELIMITER = /^--\s?$|^—\s?$/;
/** "-Name" / "--Name" sign-offs at the end (github/email_reply_parser): a dash glued to a capitalized name. */
export const DASH_NAME = /^\s*--?(?=\p{Lu})\p{L}[\p{L}.'’-]*(?:\s+\p{L}[\p{L}.'’-]*){0,3}\s*$/u;

/**
 * Pattern tables for detect-automated-mail.ts: vendor headers, subjects and body phrases of
 * auto-replies and bounces. Kept apart from the decision logic so that adding a language or an MTA
 * is a one-line change here, and so the header comment of detect-automated-mail.ts stays readable.
 *
 * Sources: RFC 3834 (Auto-Submitted), RFC 3464 / RFC 6533 (DSN), RFC 5965 (ARF), RFC 8098 (MDN),
 * Microsoft's Exchange documentation (X-Auto-Response-Suppress values, X-MS-Exchange-Inbox-Rules-Loop,
 * localized "Automatic reply:" / "Undeliverable:" subject prefixes of Outlook and Exchange), the
 * bounce texts of Postfix, Sendmail, Exim, qmail, Exchange, Gmail, Domino and others as they appear
 * in the sisimai set-of-emails corpus (../shared/data/bounces), and the auto-reply headers that
 * other help desks check (Zammad, Discourse, Request Tracker).
 */

/** Strips any number of leading reply/forward prefixes in the languages we know ("Re:", "AW:", "Fwd:", "RV:"...). */
export const REPLY_OR_FORWARD_PREFIX =
  /^\s*(?:(?:re|aw|sv|vs|antw|antwort|rif|r|ref|res|odp|fw|fwd|wg|tr|rv|enc|i|doorst|vb|fs|továbbítás|πρθ|ΑΠ|回复|转发|回覆|轉寄|返信|転送)(?:\[\d+\])?\s*[:：]\s*)+/i;

/** True when the subject starts with a reply or forward prefix, i.e. a person answered or forwarded something. */
export const isReplyOrForwardSubject = (subject: string): boolean => REPLY_OR_FORWARD_PREFIX.test(subject);

/**
 * Subject prefixes that mail clients put on automatic replies, by language. A subject that *starts*
 * with one of these (and not with "Re:") is an auto-reply; humans do not title their own mail
 * "Automatic reply: ...". Outlook / Exchange: "Automatic reply:" since 2010, "Out of Office AutoReply:"
 * before; the translations are Outlook's own.
 */
export const AUTO_REPLY_SUBJECT_PREFIXES: ReadonlyArray<{ lang: string; pattern: RegExp }> = [
  { lang: 'en', pattern: /^\s*(?:automatic|auto)[\s-]?(?:reply|response|answer)\b/i },
  { lang: 'en', pattern: /^\s*autoreply\b|^\s*autoresponse\b|^\s*autorespons?\b/i },
  { lang: 'en', pattern: /^\s*out of (?:the )?office auto-?reply\b/i },
  { lang: 'en', pattern: /^\s*vacation (?:auto-?)?reply\b/i },
  { lang: 'de', pattern: /^\s*automatische antwort\b/i },
  { lang: 'fr', pattern: /^\s*réponse automatique\b/i },
  { lang: 'es', pattern: /^\s*respuesta automática\b/i },
  { lang: 'it', pattern: /^\s*risposta automatica\b/i },
  { lang: 'nl', pattern: /^\s*automatisch antwoord\b/i },
  { lang: 'pt', pattern: /^\s*resposta automática\b/i },
  { lang: 'sv', pattern: /^\s*automatiskt svar\b/i },
  { lang: 'da/no', pattern: /^\s*(?:automatisk svar|autosvar)\b/i },
  { lang: 'fi', pattern: /^\s*automaattinen vastaus\b/i },
  { lang: 'pl', pattern: /^\s*odpowiedź automatyczna\b|^\s*automatyczna odpowiedź\b/i },
  { lang: 'cs', pattern: /^\s*automatická odpověď\b/i },
  { lang: 'hu', pattern: /^\s*automatikus válasz\b/i },
  { lang: 'tr', pattern: /^\s*otomatik (?:yanıt|cevap)\b/i },
  { lang: 'ru', pattern: /^\s*автоматический ответ/i },
  { lang: 'ja', pattern: /^\s*(?:自動応答|自動返信|自動返答)/ },
  { lang: 'zh', pattern: /^\s*(?:自动回复|自動回覆|自動回復)/ },
  { lang: 'ko', pattern: /^\s*자동\s?회신/ },
];

/**
 * "Out of office"-style subject prefixes ending in a colon, as older Outlook versions and many
 * webmailers write them ("Out of Office: <original subject>", "Abwesenheitsnotiz: ..."). Weaker than
 * the prefixes above: a person might title a message "Out of office: who covers for me?".
 */
export const OUT_OF_OFFICE_SUBJECT_PREFIXES: ReadonlyArray<{ lang: string; pattern: RegExp }> = [
  { lang: 'en', pattern: /^\s*(?:out of (?:the )?office|ooo|away from (?:the |my )?office|on vacation|on leave|away)\s*[:：-]/i },
  { lang: 'de', pattern: /^\s*(?:abwesenheitsnotiz|abwesenheit|abwesend|nicht im büro|urlaub)\s*[:：-]/i },
  { lang: 'fr', pattern: /^\s*(?:absence du bureau|absent(?:e)? du bureau|absence|en congé|en vacances)\s*[:：-]/i },
  { lang: 'es', pattern: /^\s*(?:fuera de la oficina|fuera de oficina|ausente|de vacaciones)\s*[:：-]/i },
  { lang: 'it', pattern: /^\s*(?:fuori sede|fuori ufficio|assente|in ferie)\s*[:：-]/i },
  { lang: 'nl', pattern: /^\s*(?:afwezig|niet op kantoor|met vakantie)\s*[:：-]/i },
  { lang: 'pt', pattern: /^\s*(?:ausente do escritório|fora do escritório|ausente|de férias)\s*[:：-]/i },
  { lang: 'sv', pattern: /^\s*(?:frånvaro|frånvarande|inte på kontoret|på semester)\s*[:：-]/i },
  { lang: 'pl', pattern: /^\s*(?:poza biurem|nieobecność|nieobecny|nieobecna|urlop)\s*[:：-]/i },
  { lang: 'ru', pattern: /^\s*(?:нет на месте|вне офиса|отсутствую|в отпуске)\s*[:：-]/i },
  { lang: 'ja', pattern: /^\s*(?:不在|外出中|休暇)\s*[:：]/ },
];

/**
 * Vacation phrases anywhere in a subject that is not a reply ("Away until May 5", "I am on vacation").
 * The weakest subject signal: it only counts together with another sign of an automaton.
 */
export const VACATION_SUBJECT_PHRASES =
  /\b(?:out of (?:the )?office|away until|away from (?:the |my )?(?:office|desk)|on vacation|on holiday|on leave|vacation|abwesen\w*|urlaub|absence|absent\b|congés?|ausente|vacaciones|fuori (?:sede|ufficio)|ferie|afwezig|vakantie|férias|frånvar\w*|semester|nieobecn\w*|urlop|отпуск|нет на месте)|不在|休暇|外出/i;

/** RFC 3834 / vendor headers whose mere presence (with a value that is not a "no") marks an auto-reply. */
export const AUTO_REPLY_HEADERS: ReadonlyArray<{ header: string; means: string; test: (value: string) => boolean }> = [
  { header: 'x-autoreply', means: 'set by vacation programs (qmail autoresponder, Yahoo, cPanel)', test: (v) => !/^\s*(?:no|false|0)\s*$/i.test(v) },
  { header: 'x-autorespond', means: 'set by autoresponders (Mailman, vacation scripts)', test: () => true },
  { header: 'x-autoreply-from', means: 'set by Courier / maildrop autoresponders', test: () => true },
  { header: 'x-mail-autoreply', means: 'set by Exim/Dovecot autoreply transports', test: () => true },
  { header: 'x-autogenerated', means: 'set by some autoresponders to "Reply"', test: (v) => /reply/i.test(v) },
  { header: 'x-fc-machinegenerated', means: 'FirstClass machine-generated mail', test: (v) => /true/i.test(v) },
  { header: 'x-post-messageclass', means: 'Post.at autoresponder class', test: (v) => /autoresponder/i.test(v) },
  { header: 'x-apple-action', means: 'iCloud vacation responder', test: (v) => /vacation/i.test(v) },
  { header: 'x-ms-exchange-generated-message-source', means: 'Exchange Online: generated by a mailbox rule (OOF, rule reply)', test: (v) => /mailbox rules agent/i.test(v) },
];

/** Local parts of mail-system senders (RFC 5321 §4.5.1 postmaster; the traditional MAILER-DAEMON). */
export const MAIL_SYSTEM_LOCAL_PARTS = /^(?:mailer[-_.]?daemon|mail[-_.]?daemon|postmaster|post[-_.]master|mail[-_.]?delivery[-_.]?(?:system|subsystem)?|nobody-?bounce)$/i;
/** Display names of mail-system senders, for bounces whose address is empty or unhelpful. */
export const MAIL_SYSTEM_DISPLAY_NAMES = /\b(?:mailer[-_ ]?daemon|mail delivery (?:system|subsystem|service)|postmaster|mail administrator|system administrator|mail system)\b/i;

/**
 * Subjects of delivery-failure and delay reports, matched anywhere in a subject that does not start with
 * a reply/forward prefix. Each is the literal subject of a widely deployed MTA or of a localized
 * Exchange/Gmail NDR.
 */
export const BOUNCE_SUBJECTS: ReadonlyArray<{ source: string; pattern: RegExp }> = [
  { source: 'Postfix', pattern: /undelivered mail returned to sender/i },
  { source: 'Postfix (delay)', pattern: /delayed mail \(still being retried\)/i },
  { source: 'Gmail / Exchange DSN', pattern: /delivery status notification/i },
  { source: 'Exim', pattern: /mail delivery failed|mail failure\b|mail failed, returning to sender|returning message to sender/i },
  { source: 'Exim (delay)', pattern: /^warning: message .* delayed\b/i },
  { source: 'Sendmail', pattern: /returned mail\b|^warning: could not send message/i },
  { source: 'qmail', pattern: /^failure notice\b/i },
  { source: 'Exchange', pattern: /^undeliverable\b|^undeliverable mail\b|^undelivered mail\b|^message undeliverable\b/i },
  { source: 'Domino / generic', pattern: /delivery failure|delivery has failed|delivery failed|message delivery has failed|non-?delivery|nondeliverable|not delivered|could not be delivered|couldn't be delivered|undeliverable message|delivery notification/i },
  { source: 'generic', pattern: /error sending your (?:mail|message)|mail system error|returned message|bounced? (?:mail|message|notification)|email bounce|rejected mail|message rejected|delivery problem|mail delivery problem|failed delivery/i },
  { source: 'Exchange (de)', pattern: /^unzustellbar|nicht zustellbar|benachrichtigung zum (?:übermittlungs|zustell)status|unzustellbare nachricht/i },
  { source: 'Exchange (fr)', pattern: /^non remis|non distribuable|notification d'état de (?:la )?(?:remise|distribution)|échec de (?:la )?(?:remise|distribution)/i },
  { source: 'Exchange (es)', pattern: /^no se puede entregar|^no entregado|notificación de estado de (?:la )?entrega|mensaje no entregado/i },
  { source: 'Exchange (it)', pattern: /^non recapitabile|notifica sullo stato della consegna|mancato recapito/i },
  { source: 'Exchange (nl)', pattern: /^onbestelbaar|^niet bezorgd|^kan niet worden bezorgd/i },
  { source: 'Exchange (pt)', pattern: /^não é possível entregar|^não entregue|notificação de status de entrega/i },
  { source: 'Exchange (sv)', pattern: /^olevererbart|^kan inte levereras|^ej levererat/i },
  { source: 'Exchange (pl)', pattern: /^niedostarczalne|^niedostarczona|^nie można dostarczyć/i },
  { source: 'Exchange (ja)', pattern: /配信不能|配信できません|メールエラー通知|不達|配送エラー|エラーメール/ },
  { source: 'Exchange / mail.ru (ru)', pattern: /недоставленное сообщение|не удается доставить|не доставлено|невозможно доставить/i },
];

/**
 * Phrases that mail-system software writes into the human-readable part of a bounce. `template` phrases
 * are the fixed wording of one MTA's bounce template and count fully; `generic` phrases ("user
 * unknown", "mailbox full") also occur when a person describes a problem, so they count half. Neither
 * makes a bounce without evidence about the sender (see detect-automated-mail.ts).
 */
export const BOUNCE_BODY_PHRASES: ReadonlyArray<{ source: string; weight: 'template' | 'generic'; pattern: RegExp }> = [
  { source: 'Postfix', weight: 'template', pattern: /this is the mail system at host|i'm sorry to have to inform you that your message could not/i },
  { source: 'Exim', weight: 'template', pattern: /this message was created automatically by mail delivery software|a message that you sent could not be delivered to one or more of its|a message that you sent has not yet been delivered/i },
  { source: 'qmail', weight: 'template', pattern: /this is the qmail-send program|i'm afraid i wasn't able to deliver your message|below this line is a copy of the message/i },
  { source: 'Sendmail', weight: 'template', pattern: /the original message was received at|the following addresses had permanent fatal errors|transcript of session follows|message could not be delivered for \d+ (?:days|hours)/i },
  { source: 'Gmail', weight: 'template', pattern: /delivery to the following recipients? (?:failed|has been delayed)|your message wasn't delivered to|the recipient server did not accept our requests|message not delivered/i },
  { source: 'Exchange / Office 365', weight: 'template', pattern: /delivery has failed to these recipients or groups|your message did not reach some or all of the intended recipients|your message couldn't be delivered|the following recipient\(s\) cannot be reached|delivery is delayed to these recipients/i },
  { source: 'DSN text', weight: 'template', pattern: /this is an automatically generated delivery status notification|unable to deliver (?:your )?message to the following|could not be delivered to (?:the following|one or more)|the following message to <[^>]+> was undeliverable|smtp error from remote (?:mail )?server|remote host said:|host \S+ \[[\d.:a-f]+\] said:/i },
  { source: 'Domino / Notes', weight: 'template', pattern: /your (?:document|message):?\s[\s\S]{0,200}?\swas not delivered to/i },
  { source: 'Exchange 2003', weight: 'template', pattern: /did not reach the following recipient/i },
  { source: 'MailEnable / appliances', weight: 'template', pattern: /we had trouble delivering your message|failed addresses follow:|the following recipients returned permanent errors|message could not be delivered to (?:mobile|the following)/i },
  // Generic wording: each distinct match counts half, at most 1 in total.
  { source: 'generic', weight: 'generic', pattern: /(?:your|the) (?:message|mail|e-?mail) (?:was|has been|could not be|cannot be) (?:rejected|returned|bounced)/i },
  { source: 'generic', weight: 'generic', pattern: /could not be delivered|couldn't be delivered|cannot be delivered|was not delivered|undeliverable|returned to sender/i },
  { source: 'generic', weight: 'generic', pattern: /permanent (?:fatal )?errors?|delivery (?:has )?failed|failed to deliver|delivery failure/i },
  { source: 'generic', weight: 'generic', pattern: /user unknown|unknown user|invalid (?:user|recipient)(?: address)?|no such (?:user|recipient|mailbox)|recipient address rejected|mailbox (?:unavailable|not found)/i },
  { source: 'generic', weight: 'generic', pattern: /mailbox (?:is )?full|over quota|quota exceeded/i },
  { source: 'generic', weight: 'generic', pattern: /requested action not taken|said: [45]\d\d|\b5\d\d[ -]5\.\d{1,3}\.\d{1,3}\b/i },
  { source: 'ja', weight: 'generic', pattern: /配信できませんでした|送信できませんでした|宛先不明|届きませんでした|配信に失敗/ },
  { source: 'ru', weight: 'generic', pattern: /не может быть доставлено|не было доставлено|не доставлено/i },
  { source: 'de', weight: 'generic', pattern: /konnte nicht (?:zugestellt|ausgeliefert) werden|unzustellbar/i },
  { source: 'fr', weight: 'generic', pattern: /n'a pas pu être (?:remis|délivré|distribué)|impossible de remettre/i },
];

/** RFC 3464 DSN fields that mark delivery-status content rendered into the text body. */
export const DSN_FIELD_LINES: readonly RegExp[] = [
  /^\s*final-recipient:\s*\S+\s*;/im,
  /^\s*action:\s*(?:failed|delayed|delivered|relayed|expanded)\b/im,
  /^\s*status:\s*[245]\.\d{1,3}\.\d{1,3}\b/im,
  /^\s*diagnostic-code:\s*\S/im,
  /^\s*reporting-mta:\s*\S/im,
];

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyAutomatedMail, detectAutomatedMail, extractBounceDetails } from '../../src/intake/detect-automated-mail.js';
import { parseMessage } from '../../src/intake/parse-message.js';
import type { ParsedMessage } from '../../src/intake/parsed-message.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'detect');
const OWN = { ownLoopHeaderName: 'X-Mailroom-Loop', ownMessageIdDomain: 'mailroom.acme.example', ownAddresses: ['support@acme.example'] };

const load = (name: string, crlf = false): Promise<ParsedMessage> => {
  const raw = readFileSync(join(fixtures, name), 'utf8');
  return parseMessage(Buffer.from(crlf ? raw.replace(/\r?\n/g, '\r\n') : raw));
};
const detect = async (name: string) => detectAutomatedMail({ message: await load(name), ...OWN });
const classify = async (name: string) => classifyAutomatedMail({ message: await load(name), ...OWN });

/** A plain person-to-person message; tests override what they need. */
const message = (over: Partial<ParsedMessage> = {}): ParsedMessage => ({
  messageId: 'x1@customer.example',
  date: null,
  from: { name: 'Kim Lee', address: 'kim@customer.example' },
  to: [{ name: '', address: 'support@acme.example' }],
  cc: [],
  replyTo: [],
  subject: 'Question about my order',
  text: 'Hello, where is my parcel?',
  html: null,
  inReplyTo: null,
  references: [],
  headers: {},
  contentType: 'text/plain',
  partTypes: ['text/plain'],
  attachments: [],
  warnings: [],
  ...over,
});
const flagsOf = (over: Partial<ParsedMessage>) => detectAutomatedMail({ message: message(over), ...OWN });

describe('detectAutomatedMail: auto-replies', () => {
  it('flags RFC 3834 Auto-Submitted, with the header named in the signals', async () => {
    const flags = await detect('vacation-auto-submitted.eml');
    expect(flags).toMatchObject({ autoReply: true, bounce: false, bulk: false });
    expect(flags.signals).toContain('header Auto-Submitted: auto-replied');
  });

  it('does not flag Auto-Submitted: no', () => {
    expect(flagsOf({ headers: { 'auto-submitted': ['no'] } }).autoReply).toBe(false);
  });

  it('flags Outlook "Automatic reply:" with X-Auto-Response-Suppress', async () => {
    const flags = await detect('outlook-automatic-reply.eml');
    expect(flags.autoReply).toBe(true);
    expect(flags.signals.some((s) => s.includes('X-Auto-Response-Suppress: All'))).toBe(true);
    expect(flags.signals.some((s) => s.includes('X-MS-Exchange-Inbox-Rules-Loop'))).toBe(true);
  });

  it('flags a German Abwesenheitsnotiz (out-of-office prefix plus X-Auto-Response-Suppress)', async () => {
    expect((await detect('abwesenheitsnotiz.eml')).autoReply).toBe(true);
  });

  it.each([
    ['en', 'Automatic reply: Your order'],
    ['en', 'Auto-Reply: Your order'],
    ['de', 'Automatische Antwort: Ihre Bestellung'],
    ['fr', 'Réponse automatique : Votre commande'],
    ['es', 'Respuesta automática: Su pedido'],
    ['it', 'Risposta automatica: Il suo ordine'],
    ['nl', 'Automatisch antwoord: Uw bestelling'],
    ['pt', 'Resposta automática: Seu pedido'],
    ['sv', 'Automatiskt svar: Din beställning'],
    ['pl', 'Odpowiedź automatyczna: Twoje zamówienie'],
    ['ja', '自動応答: ご注文について'],
    ['ru', 'Автоматический ответ: Ваш заказ'],
  ])('flags the %s automatic-reply subject "%s" on its own', (_lang, subject) => {
    expect(flagsOf({ subject }).autoReply).toBe(true);
  });

  it.each([
    ['Out of Office: Your order'],
    ['Abwesenheitsnotiz: Ihre Bestellung'],
    ['Absence du bureau : Votre commande'],
    ['Fuera de la oficina: Su pedido'],
  ])('needs a second signal for the out-of-office subject "%s"', (subject) => {
    expect(flagsOf({ subject }).autoReply).toBe(false);
    expect(flagsOf({ subject, headers: { 'x-auto-response-suppress': ['OOF'] } }).autoReply).toBe(true);
  });

  it('does not flag a person replying about an out-of-office party', async () => {
    const flags = await detect('human-ooo-party.eml');
    expect(flags).toEqual({ autoReply: false, bounce: false, loop: false, bulk: false, signals: [] });
  });

  it('does not flag "Re: Automatic reply: ..." (a person answering an auto-reply)', () => {
    expect(flagsOf({ subject: 'Re: Automatic reply: Your order' }).autoReply).toBe(false);
  });

  it.each([
    [{ 'x-autoreply': ['yes'] }],
    [{ 'x-autorespond': ['vacation'] }],
    [{ precedence: ['auto_reply'] }],
    [{ 'x-apple-action': ['VACATION'] }],
    [{ 'x-ms-exchange-generated-message-source': ['Mailbox Rules Agent'] }],
  ])('flags vendor auto-reply headers %j', (headers) => {
    expect(flagsOf({ headers }).autoReply).toBe(true);
  });

  it('ignores X-Autoreply: no and read-receipt-only X-Auto-Response-Suppress values', () => {
    expect(flagsOf({ headers: { 'x-autoreply': ['no'] } }).autoReply).toBe(false);
    expect(flagsOf({ headers: { 'x-auto-response-suppress': ['DR, RN, NRN'] } }).autoReply).toBe(false);
  });

  it('treats weak signals alone as not enough, and lists them', () => {
    const flags = flagsOf({ subject: 'Away until Monday', headers: { 'x-ms-exchange-inbox-rules-loop': ['kim@customer.example'] } });
    expect(flags.autoReply).toBe(false);
    expect(flags.signals).toHaveLength(2);
    expect(flags.signals.every((s) => s.endsWith('not enough for an auto-reply alone'))).toBe(true);
  });

  it('flags a read receipt (MDN) as an automatic reply', async () => {
    const { flags, kind } = await classify('read-receipt.eml');
    expect(kind).toBe('read-receipt');
    expect(flags).toMatchObject({ autoReply: true, bounce: false });
  });
});

describe('detectAutomatedMail: bulk', () => {
  it('flags list mail as bulk only', async () => {
    const flags = await detect('mailing-list.eml');
    expect(flags).toMatchObject({ bulk: true, autoReply: false, bounce: false, loop: false });
    expect(flags.signals).toEqual(expect.arrayContaining(['header Precedence: list', 'header List-Unsubscribe present']));
  });

  it('flags Precedence: bulk and junk as bulk, junk without an auto-reply', () => {
    expect(flagsOf({ headers: { precedence: ['bulk'] } })).toMatchObject({ bulk: true, autoReply: false });
    expect(flagsOf({ headers: { precedence: ['junk'] } })).toMatchObject({ bulk: true, autoReply: false });
  });
});

describe('detectAutomatedMail: bounces', () => {
  it('flags an RFC 3464 DSN and says why', async () => {
    const flags = await detect('dsn-postfix.eml');
    expect(flags).toMatchObject({ bounce: true, autoReply: false, loop: false });
    expect(flags.signals[0]).toContain('report-type=delivery-status');
    expect(flags.signals.some((s) => s.startsWith('mail-system sender'))).toBe(true);
  });

  it('flags a delay report as a bounce and says it is a delay', async () => {
    const flags = await detect('dsn-delayed.eml');
    expect(flags.bounce).toBe(true);
    expect(flags.signals.some((s) => s.includes('delayed'))).toBe(true);
  });

  it('treats a DSN that reports delivery as an automatic reply, not a bounce', async () => {
    const { flags, kind } = await classify('dsn-delivered.eml');
    expect(kind).toBe('delivery-report');
    expect(flags).toMatchObject({ bounce: false, autoReply: true });
  });

  it('flags a plain-text qmail bounce (template text + mail-system sender)', async () => {
    expect((await detect('qmail-failure.eml')).bounce).toBe(true);
  });

  it('flags an ARF feedback report as bounce, marked as feedback', async () => {
    const { flags, kind } = await classify('arf-complaint.eml');
    expect(kind).toBe('feedback');
    expect(flags.bounce).toBe(true);
    expect(flags.signals[0]).toContain('ARF feedback report');
  });

  it('does not flag a customer describing bounces in their own words', async () => {
    const flags = await detect('customer-about-bounces.eml');
    expect(flags.bounce).toBe(false);
    expect(flags.autoReply).toBe(false);
  });

  it('does not flag a person forwarding a bounce', async () => {
    expect(await detect('forwarded-bounce.eml')).toMatchObject({ bounce: false, autoReply: false });
  });

  it('gives the same answer for CRLF input', async () => {
    for (const name of ['dsn-postfix.eml', 'qmail-failure.eml', 'vacation-auto-submitted.eml', 'human-ooo-party.eml']) {
      const lf = detectAutomatedMail({ message: await load(name), ...OWN });
      const crlf = detectAutomatedMail({ message: await load(name, true), ...OWN });
      expect(crlf).toEqual(lf);
    }
  });
});

describe('detectAutomatedMail: loops', () => {
  it('flags our own loop header', async () => {
    const flags = await detect('own-loop-header.eml');
    expect(flags.loop).toBe(true);
    expect(flags.signals.some((s) => s.includes('X-Mailroom-Loop'))).toBe(true);
  });

  it("does not call another installation's loop header a loop (its agents may write to us)", async () => {
    const m = await load('own-loop-header.eml');
    m.headers['x-mailroom-loop'] = ['mailroom.other-company.example'];
    expect(detectAutomatedMail({ message: m, ...OWN }).loop).toBe(false);
  });

  it('flags mail from one of our own addresses, case-insensitively', async () => {
    expect((await detect('own-address.eml')).loop).toBe(true);
  });

  it('flags an auto-reply to a message Mailroom sent', async () => {
    const flags = await detect('vacation-auto-submitted.eml');
    expect(flags).toMatchObject({ autoReply: true, loop: true });
    expect(flags.signals.some((s) => s.includes('m.abc123@mailroom.acme.example'))).toBe(true);
  });

  it('does not flag a person replying to our mail, nor a form submission with a Message-ID on our domain', async () => {
    expect((await detect('human-ooo-party.eml')).loop).toBe(false);
    expect(await detect('form-submission.eml')).toMatchObject({ loop: false, autoReply: false, bounce: false });
  });

  it('does not flag a bounce of our own mail as a loop', async () => {
    expect((await detect('dsn-postfix.eml')).loop).toBe(false);
  });

  it('works with no own identity configured', () => {
    const flags = detectAutomatedMail({ message: message(), ownLoopHeaderName: '', ownMessageIdDomain: '', ownAddresses: [] });
    expect(flags).toEqual({ autoReply: false, bounce: false, loop: false, bulk: false, signals: [] });
  });
});

describe('extractBounceDetails', () => {
  it('reads the DSN fields and the returned message of a Postfix bounce', async () => {
    const details = extractBounceDetails({ message: await load('dsn-postfix.eml') });
    expect(details.originalMessageId).toBe('m.abc123@mailroom.acme.example');
    expect(details.originalSubject).toBe('[#1042] Your replacement card');
    expect(details.reportingMta).toBe('mx.acme.example');
    expect(details.source).toBe('delivery-status');
    expect(details.recipients).toEqual([
      {
        address: 'gone@customer.example',
        originalAddress: null,
        action: 'failed',
        status: '5.1.1',
        replyCode: '550',
        diagnostic: '550 5.1.1 <gone@customer.example>: Recipient address rejected: User unknown',
        remoteMta: 'mx.customer.example',
      },
    ]);
  });

  it('reads a delay report and its text/rfc822-headers part', async () => {
    const details = extractBounceDetails({ message: await load('dsn-delayed.eml') });
    expect(details.originalMessageId).toBe('m.def456@mailroom.acme.example');
    expect(details.recipients).toMatchObject([{ address: 'slow@customer.example', action: 'delayed', status: '4.4.1' }]);
  });

  it('reads a plain-text qmail bounce: recipient, status and the copied Message-ID', async () => {
    const details = extractBounceDetails({ message: await load('qmail-failure.eml') });
    expect(details.source).toBe('text');
    expect(details.originalMessageId).toBe('m.ghi789@mailroom.acme.example');
    expect(details.recipients).toMatchObject([{ address: 'left@customer.example', action: 'failed', status: '5.1.1', replyCode: '550' }]);
  });

  it('reads an Exim-style text bounce and never lists the bounce\'s own addressee', () => {
    const text = [
      'This message was created automatically by mail delivery software.',
      '',
      'A message that you sent could not be delivered to one or more of its',
      'recipients. This is a permanent error. The following address(es) failed:',
      '',
      '  gone@customer.example',
      '    SMTP error from remote mail server after RCPT TO:<gone@customer.example>:',
      '    550 5.1.1 User unknown',
      '',
      'Reply to support@acme.example was not possible.',
      '',
      '------ This is a copy of the message, including all the headers. ------',
      'Message-ID: <m.xyz@mailroom.acme.example>',
      'To: gone@customer.example',
    ].join('\n');
    const details = extractBounceDetails({ message: message({ text, to: [{ name: '', address: 'support@acme.example' }] }) });
    expect(details.recipients.map((r) => r.address)).toEqual(['gone@customer.example']);
    expect(details.recipients[0]).toMatchObject({ status: '5.1.1', replyCode: '550', action: 'failed' });
    expect(details.originalMessageId).toBe('m.xyz@mailroom.acme.example');
  });

  it('prefers the remote server\'s specific code over a generic DSN Status: 5.0.0', () => {
    const text = 'Final-Recipient: rfc822; a@customer.example\nAction: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; 550 5.7.1 Relaying denied';
    expect(extractBounceDetails({ message: message({ text }) }).recipients[0].status).toBe('5.7.1');
  });

  it('falls back to the returned message\'s recipients when the report names none', () => {
    const text = '   ----- Transcript of session follows -----\n421 4.4.2 Connection timed out\n\n   ----- Unsent message follows -----\nFrom: support@acme.example\nTo: late@customer.example\nSubject: Hi\n\nbody';
    const details = extractBounceDetails({ message: message({ text }) });
    expect(details.source).toBe('returned-message');
    expect(details.recipients).toMatchObject([{ address: 'late@customer.example', action: 'delayed', status: '4.4.2' }]);
  });

  it('handles hostile text (long runs of "x@") without finding recipients', () => {
    const text = `Final-Recipient: rfc822; ${'x@'.repeat(50_000)}\nAction: failed\n\n${'x@'.repeat(50_000)}:\n`;
    const details = extractBounceDetails({ message: message({ text }) });
    expect(details.recipients).toEqual([]);
  });

  it('finds nothing in ordinary mail', () => {
    expect(extractBounceDetails({ message: message() })).toEqual({
      originalMessageId: null, originalSubject: null, reportingMta: null, recipients: [], source: 'none',
    });
  });
});

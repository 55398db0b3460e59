import { describe, expect, it } from 'vitest';
import { parseMessage, parseMessageIdList, scanPartTypes, UnparseableMessageError } from '../../src/intake/parse-message.js';
import { MAX_MIME_PARTS } from '../../src/intake/limits.js';
import { scanMessageId } from '../../src/intake/accept-raw-message.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('parseMessage', () => {
  it('normalizes addresses, RFC 2047 subjects, ids and headers', async () => {
    const m = await parseMessage(crlf([
      'From: =?utf-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>',
      'To: support@acme.test, "Team" <team@acme.test>', 'Cc: Group: a@x.test, b@x.test;',
      'Reply-To: replies@example.de',
      'Subject: =?utf-8?B?UsO8Y2tlcnN0YXR0dW5n?= needed', 'Message-ID: <abc@example.de>',
      'In-Reply-To: <parent@acme.test>', 'References: <root@acme.test>\r\n <parent@acme.test>',
      'Date: Mon, 23 Nov 2026 09:00:00 +0100', 'X-Custom: =?utf-8?Q?caf=C3=A9?=', 'Content-Type: text/plain; charset=utf-8', '', 'Hallo',
    ]));
    expect(m.from).toEqual({ name: 'Jürgen Müller', address: 'juergen@example.de' });
    expect(m.to.map((a) => a.address)).toEqual(['support@acme.test', 'team@acme.test']);
    expect(m.cc.map((a) => a.address)).toEqual(['a@x.test', 'b@x.test']);
    expect(m.replyTo[0].address).toBe('replies@example.de');
    expect(m.subject).toBe('Rückerstattung needed');
    expect(m.messageId).toBe('abc@example.de');
    expect(m.inReplyTo).toBe('parent@acme.test');
    expect(m.references).toEqual(['root@acme.test', 'parent@acme.test']);
    expect(m.date?.toISOString()).toBe('2026-11-23T08:00:00.000Z');
    expect(m.headers['x-custom']).toEqual(['café']);
    expect(m.text.trim()).toBe('Hallo');
  });

  it('derives text from an HTML-only message and keeps the HTML', async () => {
    const m = await parseMessage(crlf(['From: a@x.test', 'Subject: h', 'Content-Type: text/html; charset=utf-8', '',
      '<h1>Order</h1><p>Hello <b>there</b><br>line two</p><table><tr><th>Item</th></tr><tr><td>Shoe</td></tr></table><img src="x.png">']));
    expect(m.html).toContain('<h1>Order</h1>');
    expect(m.text).toContain('Order');
    expect(m.text).toContain('Hello there');
    expect(m.text).toContain('Shoe');
    expect(m.text).not.toContain('x.png');
  });

  it('lists attachments with hashes, content ids and the top-level content type', async () => {
    const m = await parseMessage(crlf([
      'From: a@x.test', 'Subject: att', 'MIME-Version: 1.0', 'Content-Type: multipart/report; report-type=delivery-status; boundary="r"', '',
      '--r', 'Content-Type: text/plain', '', 'Delivery failed', '--r', 'Content-Type: message/delivery-status', '',
      'Reporting-MTA: dns; mx.example', '', 'Final-Recipient: rfc822; x@y.test', 'Status: 5.1.1', '',
      '--r', 'Content-Type: image/png; name="a.png"', 'Content-ID: <img1@x>', 'Content-Transfer-Encoding: base64', '', 'iVBORw0KGgo=', '--r--', '',
    ]));
    expect(m.contentType).toBe('multipart/report; report-type=delivery-status');
    expect(m.partTypes).toEqual(['multipart/report', 'text/plain', 'message/delivery-status', 'image/png']);
    const png = m.attachments.find((a) => a.contentType === 'image/png')!;
    expect(png).toMatchObject({ filename: 'a.png', contentId: 'img1@x', size: 8 });
    expect(png.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('notes what it could not parse instead of failing', async () => {
    const m = await parseMessage(crlf(['From: not an address', 'Date: someday', 'Subject: x', '', 'body']));
    expect(m.from).toBeNull();
    expect(m.date).toBeNull();
    expect(m.warnings.join('\n')).toMatch(/unparseable Date header/);
    expect(m.warnings.join('\n')).toMatch(/unparseable From header/);
  });

  it(`refuses more than ${MAX_MIME_PARTS} MIME parts before parsing`, async () => {
    let s = 'From: a@x.test\r\nContent-Type: multipart/mixed; boundary="p"\r\n\r\n';
    for (let i = 0; i < MAX_MIME_PARTS + 10; i++) s += `--p\r\nContent-Type: text/plain\r\n\r\n${i}\r\n`;
    await expect(parseMessage(Buffer.from(`${s}--p--\r\n`))).rejects.toBeInstanceOf(UnparseableMessageError);
  });

  it('parses a 2 MB format=flowed body and keeps it bounded', async () => {
    const body = 'word word word word word word word word \r\n'.repeat(50_000);
    const m = await parseMessage(Buffer.from(`From: a@x.test\r\nSubject: f\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n${body}`));
    expect(m.text.length).toBeLessThanOrEqual(1_000_000);
    expect(m.warnings.join()).toMatch(/truncated/);
  });
});

describe('cheap scans', () => {
  it('finds the top-level Message-ID only, folded or not', () => {
    expect(scanMessageId(Buffer.from('Subject: x\r\nMessage-ID:\r\n <id1@x.test>\r\n\r\nMessage-ID: <inner@x>'))).toBe('id1@x.test');
    expect(scanMessageId(Buffer.from('Subject: x\r\n\r\nMessage-ID: <inner@x>'))).toBeNull();
  });
  it('counts part types and splits id lists', () => {
    expect(scanPartTypes(Buffer.from('Content-Type: multipart/mixed\r\n\r\ncontent-type: TEXT/plain'))).toEqual(['multipart/mixed', 'text/plain']);
    expect(parseMessageIdList('<a@x> <b@y>')).toEqual(['a@x', 'b@y']);
    expect(parseMessageIdList('a@x, b@y')).toEqual(['a@x', 'b@y']);
  });
});

describe('bare CR line endings', () => {
  it('parses a CR-only message like its CRLF twin', async () => {
    const lines = ['From: Old Mac <mac@example.com>', 'Subject: classic', 'Content-Type: text/plain', '', 'line one', 'line two'];
    const cr = await parseMessage(Buffer.from(lines.join('\r')));
    const crlf = await parseMessage(Buffer.from(lines.join('\r\n')));
    expect(cr.from).toEqual(crlf.from);
    expect(cr.subject).toBe('classic');
    expect(cr.text.replace(/\r?\n/g, '\n')).toBe(crlf.text.replace(/\r?\n/g, '\n'));
  });
});

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { removeQuotedText, stripQuotes } from '../../src/intake/strip-quotes.js';
import { htmlToHintedLines } from '../../src/intake/quotes-html.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'quotes');
const read = (name: string): string => readFileSync(join(fixtures, name), 'utf8');
const visible = (name: string): string => stripQuotes({ text: read(name) }).visibleText;

describe('stripQuotes: attribution lines ("On … wrote:") and their translations', () => {
  it.each([
    ['en-gmail.txt', 'Thanks, that fixed it.'],
    ['en-wrapped-two-lines.txt', 'Thanks, that fixed it.'],
    ['en-wrapped-three-lines.txt', 'Got it, thanks!'],
    ['de-am-schrieb.txt', 'Vielen Dank, jetzt klappt es.'],
    ['fr-le-a-ecrit.txt', 'Merci beaucoup.'],
    ['es-el-escribio.txt', 'Muchas gracias.'],
    ['it-ha-scritto.txt', 'Grazie mille.'],
    ['nl-op-schreef.txt', 'Hartelijk dank.'],
    ['pt-escreveu.txt', 'Muito obrigado.'],
    ['sv-skrev.txt', 'Tack så mycket.'],
    ['pl-napisal.txt', 'Dziękuję bardzo.'],
    ['ru-gmail.txt', 'Спасибо, всё работает.'],
    ['ja-gmail.txt', 'ありがとうございます。'],
    ['android.txt', 'Thanks for the quick answer.'],
  ])('%s', (file, expected) => {
    const result = stripQuotes({ text: read(file) });
    expect(result.visibleText).toBe(expected);
    expect(result.quoted).toBe(true);
  });
});

describe('stripQuotes: Outlook header blocks', () => {
  it.each([
    ['outlook-en.txt', 'Works now, thank you.'],
    ['outlook-de.txt', 'Danke, erledigt.'],
    ['outlook-fr.txt', 'Parfait, merci.'],
  ])('%s', (file, expected) => {
    expect(visible(file)).toBe(expected);
  });
});

describe('stripQuotes: ">" quotes', () => {
  it('removes a trailing quote without an attribution', () => {
    expect(visible('gt-quotes-only.txt')).toBe('Yes please, the blue one.');
  });

  it('keeps inline answers with the questions they answer, and drops the trailing history', () => {
    expect(visible('inline-answers.txt')).toBe(
      [
        'On Mon, Mar 3, 2025 at 10:12 AM Acme Support <support@acme.example> wrote:',
        '',
        '> Which size do you need?',
        '',
        'Size 42.',
        '',
        '> And which colour?',
        '',
        'Blue, please.',
      ].join('\n'),
    );
  });

  it('keeps the answer of a bottom-posted reply', () => {
    expect(visible('bottom-posted.txt')).toBe('Size 42, thanks.');
  });
});

describe('stripQuotes: signatures', () => {
  it('splits off an RFC 3676 "-- " signature', () => {
    const result = stripQuotes({ text: read('sig-dashes.txt') });
    expect(result.visibleText).toBe('Please cancel my subscription.');
    expect(result.signature).toBe('-- \nJane Doe\nHead of Purchasing, Customer Ltd.\n+44 20 7946 0000');
  });

  it.each([
    ['sig-iphone.txt', 'Sent from my iPhone'],
    ['sig-iphone-de.txt', 'Von meinem iPhone gesendet'],
    ['sig-iphone-fr.txt', 'Envoyé de mon iPhone'],
    ['sig-outlook-ios.txt', 'Get Outlook for iOS'],
  ])('removes the mobile footer in %s', (file, footer) => {
    const result = stripQuotes({ text: read(file) });
    expect(result.signature).toBe(footer);
    expect(result.visibleText).not.toContain(footer);
  });

  it('keeps a sentence that only starts like "Sent from my"', () => {
    const result = stripQuotes({ text: read('not-sig-sent-from.txt') });
    expect(result.visibleText).toBe(read('not-sig-sent-from.txt').trim());
    expect(result.signature).toBeNull();
  });

  it('finds a signature without a delimiter only when the sender is known', () => {
    const text = read('sig-sender-name.txt');
    expect(stripQuotes({ text }).signature).toBeNull();
    const result = stripQuotes({ text, sender: { name: 'Jane Doe', address: 'jane@customer.example' } });
    expect(result.visibleText).toBe('Please cancel my subscription.');
    expect(result.signature).toBe('Thanks,\nJane Doe\nCustomer Ltd.\n+44 20 7946 0000');
  });

  it('returns the signature that followed the removed quote', () => {
    const text = 'See you then.\n\nOn Mon, 3 Mar 2025 at 10:12, Acme <support@acme.example> wrote:\n> Meeting at 3?\n\n-- \nJane';
    expect(stripQuotes({ text })).toMatchObject({ visibleText: 'See you then.', signature: '-- \nJane', quoted: true });
  });
});

describe('stripQuotes: what must not be removed', () => {
  it('leaves a message without quotes unchanged', () => {
    const text = read('no-quotes.txt');
    expect(stripQuotes({ text })).toMatchObject({ visibleText: text.trim(), quoted: false, signature: null, allQuoted: false });
  });

  it('keeps a forwarded message whole: the forward is the content', () => {
    const text = read('forward.txt');
    expect(stripQuotes({ text })).toMatchObject({ visibleText: text.trim(), quoted: false });
  });

  it('falls back to the full text when everything looks quoted, and says so', () => {
    const text = read('all-quoted.txt');
    expect(stripQuotes({ text })).toEqual({ visibleText: text.trim(), quoted: true, signature: null, allQuoted: true, source: 'text' });
  });

  it('returns an empty visible text only for an empty message', () => {
    expect(stripQuotes({ text: '' }).visibleText).toBe('');
    expect(stripQuotes({ text: '  \n\n ' }).visibleText).toBe('');
  });
});

describe('stripQuotes: line endings', () => {
  it('gives the same result for CRLF input, without carriage returns', () => {
    for (const file of ['en-gmail.txt', 'outlook-de.txt', 'inline-answers.txt', 'sig-dashes.txt']) {
      const lf = stripQuotes({ text: read(file) });
      const crlf = stripQuotes({ text: read(file).replace(/\n/g, '\r\n') });
      expect(crlf).toEqual(lf);
      expect(crlf.visibleText).not.toContain('\r');
    }
  });
});

describe('stripQuotes: HTML-only replies', () => {
  it.each([
    ['html-gmail.html', 'Thanks, that fixed it!\n\nJane'],
    ['html-outlook.html', 'Works now – thank you.'],
    ['html-apple.html', 'Size 42, please.'],
  ])('%s', (file, expected) => {
    const result = stripQuotes({ text: '', html: read(file) });
    expect(result).toMatchObject({ visibleText: expected, quoted: true, source: 'html' });
  });

  it('uses the HTML when the text alternative shows no quote but the markup does', () => {
    const html = read('html-outlook.html');
    const text = 'Works now – thank you.\n\nAcme Support <support@acme.example>\nMonday, March 3, 2025 10:12\nHello Jane, please try the new link.';
    expect(stripQuotes({ text, html })).toMatchObject({ visibleText: 'Works now – thank you.', source: 'html' });
  });

  it('treats an indenting blockquote as text, not as a quote', () => {
    const result = stripQuotes({ text: '', html: read('html-indent-not-quote.html') });
    expect(result.quoted).toBe(false);
    expect(result.visibleText).toContain('three pens');
    expect(result.visibleText).toContain('Thanks!');
  });

  it('reads hostile markup in one pass: unterminated quotes, tags and comments', () => {
    expect(stripQuotes({ text: '', html: `<p>Hello</p><a title="x ${'<b \'"'.repeat(20_000)}` }).visibleText).toBe('Hello');
    expect(stripQuotes({ text: '', html: `<p>Hello</p>${'<!--'.repeat(20_000)}` }).visibleText).toBe('Hello');
    expect(stripQuotes({ text: '', html: `<p>Hello</p>${'<a'.repeat(20_000)}` }).visibleText).toBe('Hello');
  });

  it('drops head, style, script and comments and decodes entities', () => {
    const lines = htmlToHintedLines('<html><head><title>t</title><style>p{}</style></head><body><!-- x --><script>alert(1)</script><p>A &amp; B &lt;ok&gt; &#8364;5</p></body></html>');
    expect(lines.map((l) => l.text)).toEqual(['A & B <ok> €5']);
  });
});

describe('removeQuotedText (quotation stage only)', () => {
  it('keeps the signature, removes the quote', () => {
    const text = 'Hello\n\nSent from my iPhone\n\nOn Apr 3, 2012, at 4:19 PM, bob <bob@example.com> wrote:\n\n> Hi';
    expect(removeQuotedText(text)).toMatchObject({ text: 'Hello\n\nSent from my iPhone', quoted: true });
  });

  it('leaves hostile "x@x@…" lines alone', () => {
    const text = `Hello\n${`On 2025 ${'x@'.repeat(150)}:\n`.repeat(200)}`;
    expect(stripQuotes({ text }).visibleText).toBe(text.trim());
  });

  it('stays fast on a huge quoted history', () => {
    const big = `Top line\n\nOn Mon, 3 Mar 2025 at 10:12, A <a@example.com> wrote:\n${'> quoted line of history text\n'.repeat(50_000)}`;
    expect(stripQuotes({ text: big }).visibleText).toBe('Top line');
  });
});

/**
 * Visible-text extraction against public fixtures: `npx tsx bench/quotes.ts` (npm run bench:quotes).
 *
 * Corpus: ../shared/data/reply-quotes
 *  - github/ (github/email_reply_parser): expectations.json describes fragments. The expected visible text
 *    is `visible_reply` when given; otherwise it is derived mechanically from the fragment data: the body
 *    up to the start of the first hidden fragment (email_reply_parser's "visible = non-hidden fragments"),
 *    where fragment starts are found in order by their anchored `fragment_matches` regex, or, for quoted
 *    fragments without one, at the next `>` line; a case with one fragment expects the whole body; a case
 *    with only timing data (`max_seconds`) is checked for time only. Compared with stripQuotes().visibleText
 *    (email_reply_parser hides signatures too).
 *  - talon/ (mailgun/talon): standard_replies/*.eml (text/plain part; expected "Hello" or *_reply_text) and
 *    plain_quotation_cases.json (talon's extract_from_plain) are quotation-only tests — talon keeps
 *    signatures there ("Hello\n\nSent from my iPhone") — so they are compared with the quotation stage,
 *    removeQuotedText(). Cases run with patched talon settings (`decorators`) are excluded; duplicate
 *    inputs with conflicting expectations count once and pass on either. html_replies/*.html are compared
 *    with ALL whitespace removed (talon's rule), from stripQuotes({ text: '', html }) and again with the
 *    text parse-message derives from the HTML. signature/emails/stripped: body + sender → expected
 *    signature and the body without it.
 *  - ../banking77/train.csv (10,003 customer messages with no quoting): a false-positive check — every
 *    one must come out unchanged.
 *
 * Known disagreement: talon's reply-separated-by-hr.html expects "Hi there" — talon drops the sign-off "Bob"
 * that sits above the <hr>; we keep it (it is what the person wrote), so that case is reported as a failure.
 *
 * Normalization for exact match (everything but HTML): CRLF/CR → LF, trailing whitespace removed from every
 * line, leading and trailing blank lines removed. Nothing else (inner blank lines and indentation count).
 * Exits 0 with a message when the data folder is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseMessage, textFromHtml } from '../src/intake/parse-message.js';
import { removeQuotedText, stripQuotes } from '../src/intake/strip-quotes.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = resolve(repoRoot, '..', 'shared', 'data', 'reply-quotes');

if (!existsSync(join(dataDir, 'github', 'expectations.json'))) {
  console.log(`bench/quotes: skipped — test data not found at ${dataDir} (it lives beside the repository as ../shared/data)`);
  process.exit(0);
}

const normalize = (s: string): string =>
  s.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/[ \t\u00a0]+$/, '')).join('\n').replace(/^\n+|\n+$/g, '');
const noSpace = (s: string): string => s.replace(/\s+/g, '');

type Failure = { set: string; name: string; expected: string; got: string };
const failures: Failure[] = [];
const totals: Array<{ set: string; pass: number; total: number; note?: string; guard?: boolean }> = [];

const check = (set: string, name: string, expected: string, got: string, compare: (a: string, b: string) => boolean = (a, b) => normalize(a) === normalize(b)) => {
  const ok = compare(expected, got);
  if (!ok) failures.push({ set, name, expected, got });
  return ok;
};

// ---- github/email_reply_parser --------------------------------------------------------------------------
type GithubCase = {
  visible_reply?: string;
  fragment_count?: number;
  quoted?: boolean[];
  hidden?: boolean[];
  fragment_equals?: Record<string, string>;
  fragment_matches?: Record<string, string>;
  max_seconds?: number;
};

const githubExpected = (body: string, c: GithubCase): string | null => {
  if (c.visible_reply !== undefined) return c.visible_reply;
  const hiddenStart = c.hidden ? c.hidden.indexOf(true) : c.fragment_matches?.['1'] ? 1 : -1;
  if (hiddenStart < 0) return c.max_seconds !== undefined ? null : body;
  if (hiddenStart === 1 && c.fragment_equals?.['0'] !== undefined) return c.fragment_equals['0'];
  let pos = 0;
  for (let j = 1; j <= hiddenStart; j++) {
    const re = c.fragment_matches?.[String(j)];
    const rest = body.slice(pos + 1);
    let at = -1;
    if (re && re.startsWith('^')) {
      const m = new RegExp(re.replace(/^\^/, '(?<=^|\\n)'), '').exec(rest);
      at = m ? m.index : -1;
    } else if (c.quoted?.[j]) {
      const m = /(?<=\n)[ \t]*>/.exec(rest);
      at = m ? m.index : -1;
    }
    if (at < 0) return null;
    pos = pos + 1 + at;
  }
  return body.slice(0, pos);
};

const runGithub = () => {
  const dir = join(dataDir, 'github');
  const exp = JSON.parse(readFileSync(join(dir, 'expectations.json'), 'utf8')) as { cases: Record<string, GithubCase> };
  let pass = 0, total = 0;
  const timings: string[] = [];
  for (const [file, c] of Object.entries(exp.cases)) {
    const body = readFileSync(join(dir, 'emails', file), 'utf8').replace(/\r\n?/g, '\n');
    const t0 = performance.now();
    const result = stripQuotes({ text: body });
    const ms = performance.now() - t0;
    if (c.max_seconds !== undefined) timings.push(`${file} ${ms.toFixed(1)} ms (limit ${c.max_seconds * 1000} ms)${ms > c.max_seconds * 1000 ? ' TOO SLOW' : ''}`);
    const expected = githubExpected(body, c);
    if (expected === null) continue;
    total++;
    if (check('github', file, expected, result.visibleText)) pass++;
  }
  totals.push({ set: 'github (visibleText)', pass, total });
  console.log(`github timing cases: ${timings.join('; ')}`);
};

// ---- mailgun/talon -------------------------------------------------------------------------------------
type TalonExpectations = {
  standard_replies: { cases: Record<string, string> };
  html_replies: { cases: Record<string, string> };
  signature_stripped: { cases: Record<string, { sender_file: string; expected_signature_file: string }> };
};

const runTalon = async () => {
  const dir = join(dataDir, 'talon');
  const exp = JSON.parse(readFileSync(join(dir, 'expectations.json'), 'utf8')) as TalonExpectations;

  let pass = 0, total = 0;
  for (const [file, expected] of Object.entries(exp.standard_replies.cases)) {
    const message = await parseMessage(readFileSync(join(dir, file)));
    total++;
    if (check('talon standard_replies (quotation stage)', file, expected, removeQuotedText(message.text).text)) pass++;
  }
  totals.push({ set: 'talon standard_replies (quotation stage)', pass, total });

  // The same messages through the whole pipeline, HTML part included: visible text should start with "Hello".
  pass = 0; total = 0;
  for (const file of Object.keys(exp.standard_replies.cases)) {
    const message = await parseMessage(readFileSync(join(dir, file)));
    const r = stripQuotes({ text: message.text, html: message.html, sender: message.from });
    total++;
    if (check('talon standard_replies (stripQuotes, signature removed)', file, 'Hello', r.visibleText)) pass++;
  }
  totals.push({ set: 'talon standard_replies (stripQuotes visibleText = "Hello")', pass, total });

  const plain = JSON.parse(readFileSync(join(dir, 'plain_quotation_cases.json'), 'utf8')) as {
    cases: Array<{ id: string; input: string; expected_reply: string; decorators: string[] }>;
  };
  const byInput = new Map<string, { id: string; input: string; expected: string[] }>();
  let excluded = 0;
  for (const c of plain.cases) {
    if (c.decorators.length > 0) {
      excluded++;
      continue;
    }
    const key = `${c.id}\u0000${c.input}`;
    const entry = byInput.get(key) ?? { id: c.id, input: c.input, expected: [] };
    entry.expected.push(c.expected_reply);
    byInput.set(key, entry);
  }
  pass = 0; total = 0;
  for (const c of byInput.values()) {
    total++;
    const got = removeQuotedText(c.input).text;
    const ok = c.expected.some((e) => normalize(e) === normalize(got));
    if (ok) pass++;
    else failures.push({ set: 'talon plain_quotation_cases', name: c.id, expected: c.expected.join(' | or | '), got });
  }
  totals.push({ set: 'talon plain_quotation_cases (quotation stage)', pass, total, note: `${excluded} excluded (patched settings), duplicates merged` });

  pass = 0; total = 0;
  let passDerived = 0;
  let derivedError: string | null = null;
  for (const [file, expected] of Object.entries(exp.html_replies.cases)) {
    const html = readFileSync(join(dir, file), 'utf8');
    total++;
    if (check('talon html_replies (HTML only)', file, expected, stripQuotes({ text: '', html }).visibleText, (a, b) => noSpace(a) === noSpace(b))) pass++;
    let derived = '';
    try {
      derived = textFromHtml(html, []);
    } catch (err) {
      derivedError = (err as Error).message;
    }
    if (check('talon html_replies (derived text + HTML)', file, expected, stripQuotes({ text: derived, html }).visibleText, (a, b) => noSpace(a) === noSpace(b))) passDerived++;
  }
  totals.push({ set: 'talon html_replies (text empty, HTML given)', pass, total });
  totals.push({ set: 'talon html_replies (parse-message text from HTML, HTML given)', pass: passDerived, total, note: derivedError ? `textFromHtml threw "${derivedError}"; text was empty` : undefined });

  const stripTags = (h: string) => h.replace(/<[^>]*>/g, ' ');
  pass = 0; total = 0;
  for (const [file, expectedHtml] of [['OLK_SRC_BODY_SECTION.html', '<div>Reply</div>'], ['reply-separated-by-hr.html', '<div>Hi<div>there</div></div>']] as const) {
    total++;
    const html = readFileSync(join(dir, file), 'utf8');
    if (check('talon html_misc', file, stripTags(expectedHtml), stripQuotes({ text: '', html }).visibleText, (a, b) => noSpace(a) === noSpace(b))) pass++;
  }
  {
    total++;
    const message = await parseMessage(readFileSync(join(dir, 'reply-quotations-share-block.eml')));
    const got = stripQuotes({ text: message.text, html: message.html }).visibleText;
    if (check('talon html_misc', 'reply-quotations-share-block.eml', '(non-empty, without "From")', got, (_e, g) => g.trim().length > 0 && !g.includes('From'))) pass++;
  }
  totals.push({ set: 'talon html_misc', pass, total });

  pass = 0; total = 0;
  let sigPass = 0;
  for (const [bodyFile, c] of Object.entries(exp.signature_stripped.cases)) {
    const body = readFileSync(join(dir, bodyFile), 'utf8');
    const senderText = readFileSync(join(dir, c.sender_file), 'utf8').trim();
    const sender = senderText.includes('@') ? { address: senderText } : senderText ? { name: senderText } : null;
    const expectedSignature = readFileSync(join(dir, c.expected_signature_file), 'utf8').trim();
    const r = stripQuotes({ text: body, sender });
    total++;
    const expectedText = expectedSignature ? body.trim().slice(0, body.trim().lastIndexOf(expectedSignature)) : body;
    const sigOk = check('talon signature (signature)', bodyFile, expectedSignature || '(none)', r.signature ?? '(none)');
    const textOk = check('talon signature (visible text)', bodyFile, expectedText, r.visibleText);
    if (sigOk) sigPass++;
    if (sigOk && textOk) pass++;
  }
  totals.push({ set: 'talon signature/stripped (signature and text both exact)', pass, total, note: `${sigPass}/${total} signatures exact` });

  const pDir = join(dir, 'signature', 'emails', 'P');
  const bodies = readdirSync(pDir).filter((f) => !f.endsWith('_sender'));
  const found = bodies.filter((f) => {
    const senderFile = join(pDir, f.replace(/_body$/, '_sender'));
    const senderText = existsSync(senderFile) ? readFileSync(senderFile, 'utf8').trim() : '';
    const sender = senderText.includes('@') ? { address: senderText } : senderText ? { name: senderText } : null;
    return stripQuotes({ text: readFileSync(join(pDir, f), 'utf8'), sender }).signature !== null;
  }).length;
  console.log(`talon signature/P (positive examples, no exact expectation): a signature found in ${found}/${bodies.length}`);
};

/** Customer messages without any quoting must come out unchanged (a false-positive check, not a fixture). */
const runUnquoted = () => {
  const file = resolve(dataDir, '..', 'banking77', 'train.csv');
  if (!existsSync(file)) return;
  const rows = readFileSync(file, 'utf8').split(/\r?\n/).slice(1).filter(Boolean);
  let unchanged = 0;
  const t0 = performance.now();
  for (const row of rows) {
    const text = (/^"((?:[^"]|"")*)",[^,]+$/.exec(row)?.[1].replace(/""/g, '"')) ?? row.replace(/,[^,]+$/, '');
    const r = stripQuotes({ text });
    if (normalize(r.visibleText) === normalize(text)) unchanged++;
    else failures.push({ set: 'banking77 (must stay unchanged)', name: text.slice(0, 40), expected: text, got: r.visibleText });
  }
  const ms = performance.now() - t0;
  totals.push({ set: 'banking77 customer messages left unchanged (no quotes in them)', pass: unchanged, total: rows.length, guard: true, note: `${((1000 * ms) / rows.length).toFixed(0)} µs/message` });
};

const main = async () => {
  runGithub();
  await runTalon();
  runUnquoted();
  console.log('\n=== exact-match rates');
  let pass = 0, total = 0;
  const line = (name: string, p: number, t: number, note?: string) =>
    console.log(`${name.padEnd(66)} ${String(p).padStart(5)}/${String(t).padEnd(5)} ${((100 * p) / t).toFixed(1).padStart(5)}%${note ? `  (${note})` : ''}`);
  for (const t of totals.filter((x) => !x.guard)) {
    line(t.set, t.pass, t.total, t.note);
    pass += t.pass;
    total += t.total;
  }
  line('all fixture sets', pass, total);
  for (const t of totals.filter((x) => x.guard)) line(t.set, t.pass, t.total, t.note);
  console.log(`\nfailures: ${failures.length}${failures.length > 20 ? ' (first 20)' : ''}`);
  const clip = (s: string) => JSON.stringify(s.length > 300 ? `${s.slice(0, 300)}…` : s);
  for (const f of failures.slice(0, 20)) {
    console.log(`- [${f.set}] ${f.name}\n    expected ${clip(normalize(f.expected))}\n    got      ${clip(normalize(f.got))}`);
  }
};

await main();

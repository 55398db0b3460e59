/**
 * A small, bounded HTML → text conversion that remembers which lines were quoted history, for
 * strip-quotes.ts. It never builds a DOM and never runs anything: tags are read in one forward pass
 * (indexOf from the current position, so hostile markup cannot make it quadratic), `<head>`, `<style>`,
 * `<script>`, comments and `<!…>` / `<?…?>` are dropped, entities are decoded, and block elements become
 * line breaks. A `>` inside a quoted attribute value ends the tag early: harmless for text extraction.
 *
 * Quote containers recognized (the client that writes each one):
 *  - `blockquote type="cite"` (Apple Mail, Thunderbird), `blockquote class="gmail_quote"` (Gmail), any
 *    blockquote with a `cite` attribute or a left border style (mail.ru, Yahoo, Zimbra) → quoted lines;
 *  - `div class="gmail_quote"` (Gmail: attribution + blockquote), `div class="yahoo_quoted"` (Yahoo),
 *    `div class="protonmail_quote"`, `div class="zmail_extra"` (Zoho) → quoted from there;
 *  - `div class="moz-cite-prefix"` (Thunderbird's "On ... wrote:") → attribution (splitter);
 *  - `div id="divRplyFwdMsg"` (Outlook Web / mobile), `span id="OLK_SRC_BODY_SECTION"` (Outlook for Mac),
 *    `div id="appendonsend"` (Outlook), `hr id="stopSpelling"` (Hotmail), `hr id="zwchr"` (Zimbra),
 *    `div class="AOLMsgPart..."` → the previous message starts here and runs to the end of the document.
 *  A blockquote with none of these marks is treated as indentation (Apple Mail and Gmail indent with
 *  plain blockquotes), not as a quote.
 */

/** HTML longer than this is cut before conversion; quoted history sits at the end anyway. */
export const MAX_QUOTE_HTML_CHARS = 1_000_000;

/** A line of converted HTML and what the markup said about it. */
export type HintedLine = { text: string; hint: 'quote' | 'splitter' | null };

const ENTITIES: Record<string, string> = {
  nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", ndash: '–', mdash: '—', hellip: '…',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', copy: '©', reg: '®', bull: '•', middot: '·',
};

/** Decodes numeric and the common named HTML entities; unknown ones stay as written. */
export const decodeEntities = (s: string): string =>
  s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (m, code: string) => {
    if (code[0] === '#') {
      const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : m;
    }
    return ENTITIES[code.toLowerCase()] ?? m;
  });

const BLOCK = new Set(['p', 'div', 'br', 'tr', 'li', 'ul', 'ol', 'table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'section', 'article', 'header', 'footer', 'blockquote', 'hr', 'dt', 'dd', 'center', 'address']);
const DROP = new Set(['head', 'style', 'script', 'title', 'xml', 'template', 'noscript']);
const VOID = new Set(['br', 'hr', 'img', 'meta', 'link', 'input', 'base', 'col', 'area', 'wbr', 'source']);

const ATTRIBUTE_RES = new Map<string, RegExp>();
const attr = (tag: string, name: string): string | null => {
  let re = ATTRIBUTE_RES.get(name);
  if (!re) ATTRIBUTE_RES.set(name, (re = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i')));
  const m = re.exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3] ?? '') : null;
};

type Mark = 'quote' | 'splitter' | 'rest' | null;

/** Which quote role an opening tag plays, from its name, id, class, type, cite and style. */
const markOf = (name: string, tag: string): Mark => {
  const id = attr(tag, 'id') ?? '';
  const cls = attr(tag, 'class') ?? '';
  if (/\b(?:x_)?divRplyFwdMsg\b|\bOLK_SRC_BODY_SECTION\b|\bappendonsend\b/i.test(id)) return 'rest';
  if (name === 'hr' && /^(?:stopSpelling|zwchr)$/i.test(id)) return 'rest';
  if (/\bAOLMsgPart/i.test(id) || /\b(?:yahoo_quoted|protonmail_quote|zmail_extra)\b/i.test(cls)) return 'rest';
  if (/\bmoz-cite-prefix\b/i.test(cls)) return 'splitter';
  if (/\bgmail_quote\b/i.test(cls)) return 'quote';
  if (name === 'blockquote') {
    if (/^cite$/i.test(attr(tag, 'type') ?? '') || attr(tag, 'cite') !== null) return 'quote';
    if (/border-left\s*:[^;"]*solid|border-left-style\s*:\s*solid/i.test(attr(tag, 'style') ?? '')) return 'quote';
  }
  return null;
};

/**
 * Converts HTML to lines of text, each tagged `quote` (inside a quote container), `splitter` (an
 * attribution such as Thunderbird's moz-cite-prefix) or null. Everything after a "rest" marker (Outlook's
 * divRplyFwdMsg, Hotmail's stopSpelling, ...) is tagged `quote`.
 */
export const htmlToHintedLines = (html: string): HintedLine[] => {
  const source = html.slice(0, MAX_QUOTE_HTML_CHARS);
  const lines: HintedLine[] = [];
  let current = '';
  let currentHint: HintedLine['hint'] = null;
  // Each open element records whether it started a quote or splitter, so the state ends with it.
  const stack: Array<{ name: string; mark: Mark }> = [];
  let quoteDepth = 0;
  let splitterDepth = 0;
  let rest = false;
  let dropDepth = 0;
  let pre = 0;

  const hintNow = (): HintedLine['hint'] => (rest || quoteDepth > 0 ? 'quote' : splitterDepth > 0 ? 'splitter' : null);
  const flush = () => {
    lines.push({ text: current.replace(/[ \t\u00a0]+$/g, ''), hint: current.trim() ? currentHint : null });
    current = '';
    currentHint = null;
  };
  const appendText = (raw: string) => {
    let text = decodeEntities(raw);
    if (!pre) text = text.replace(/[\s\u200b\u200e\u200f\u2060\ufeff]+/g, ' ');
    if (!text) return;
    if (pre) {
      const parts = text.split(/\r\n|\r|\n/);
      parts.forEach((part, i) => {
        if (i > 0) flush();
        if (part) {
          if (!current.trim()) currentHint = hintNow();
          current += part;
        }
      });
      return;
    }
    if (!current.trim()) {
      text = text.replace(/^ /, '');
      if (!text) return;
      currentHint = hintNow();
    }
    current += text;
  };
  const lineBreak = () => {
    if (current.trim() || current) flush();
    else lines.push({ text: '', hint: null });
  };

  const openTag = (name: string, tag: string) => {
    const mark = markOf(name, tag);
    if (BLOCK.has(name) && name !== 'br' && current.trim()) flush();
    if (mark === 'rest') rest = true;
    if (name === 'br') lineBreak();
    if (name === 'pre') pre++;
    if (!VOID.has(name) && !tag.endsWith('/>')) {
      stack.push({ name, mark });
      if (mark === 'quote') quoteDepth++;
      if (mark === 'splitter') splitterDepth++;
    }
    if (name === 'p' && lines.length > 0 && lines[lines.length - 1].text !== '') lines.push({ text: '', hint: null });
  };
  const closeTag = (name: string) => {
    // Close up to the matching element; tolerate unclosed children.
    let at = -1;
    for (let k = stack.length - 1; k >= 0; k--) if (stack[k].name === name) { at = k; break; }
    if (at >= 0) {
      for (const s of stack.splice(at)) {
        if (s.mark === 'quote') quoteDepth--;
        if (s.mark === 'splitter') splitterDepth--;
        if (s.name === 'pre') pre = Math.max(0, pre - 1);
      }
    }
    if (BLOCK.has(name) && current.trim()) flush();
  };

  // One linear pass: every search is an indexOf forward from the current position, so no input can make
  // the scan go back over what it has read (hostile markup with unclosed quotes or comments stays O(n)).
  let i = 0;
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    if (lt < 0) {
      if (dropDepth === 0) appendText(source.slice(i));
      break;
    }
    if (lt > i && dropDepth === 0) appendText(source.slice(i, lt));
    if (source.startsWith('<!--', lt)) {
      const end = source.indexOf('-->', lt + 4);
      i = end < 0 ? source.length : end + 3;
      continue;
    }
    const next = source.charAt(lt + 1);
    if (next === '!' || next === '?') {
      const end = source.indexOf('>', lt + 2);
      i = end < 0 ? source.length : end + 1;
      continue;
    }
    const nameMatch = /^<(\/?)([a-zA-Z][a-zA-Z0-9:-]{0,63})/.exec(source.slice(lt, lt + 66));
    if (!nameMatch) {
      if (dropDepth === 0) appendText('<');
      i = lt + 1;
      continue;
    }
    const end = source.indexOf('>', lt + nameMatch[0].length);
    if (end < 0) break; // an unterminated tag at the end: nothing readable follows
    const tag = source.slice(lt, end + 1);
    i = end + 1;
    const closing = nameMatch[1] === '/';
    const name = nameMatch[2].toLowerCase().replace(/^.*:/, '');
    if (DROP.has(name)) {
      if (!closing && !tag.endsWith('/>')) dropDepth++;
      else if (closing && dropDepth > 0) dropDepth--;
      continue;
    }
    if (dropDepth > 0) continue;
    if (closing) closeTag(name);
    else openTag(name, tag);
  }
  if (current.trim()) flush();
  // Collapse runs of blank lines, and drop leading/trailing blank lines.
  const out: HintedLine[] = [];
  for (const l of lines) {
    const blank = l.text.trim() === '';
    if (blank && (out.length === 0 || out[out.length - 1].text.trim() === '')) continue;
    out.push(blank ? { text: '', hint: null } : l);
  }
  while (out.length > 0 && out[out.length - 1].text.trim() === '') out.pop();
  return out;
};

/**
 * Inbound HTML is hostile until proven otherwise. Before an agent's browser sees it: no scripts, styles,
 * forms, iframes, event handlers or javascript: URLs; links open in a new tab without referrer; remote
 * images are not loaded (they are tracking pixels as often as not) — they become a placeholder naming the
 * host, and `cid:` images point at the attachment download route.
 */
import sanitizeHtml from 'sanitize-html';

export type SanitizeOptions = { cidUrl?: (contentId: string) => string | null };

export const sanitizeInboundHtml = (html: string, opts: SanitizeOptions = {}): string =>
  sanitizeHtml(html, {
    allowedTags: [
      'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'code', 'col', 'colgroup', 'dd', 'del', 'div', 'dl', 'dt', 'em',
      'font', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'li', 'ol', 'p', 'pre', 'q', 's', 'small',
      'span', 'strike', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'u', 'ul',
    ],
    allowedAttributes: {
      a: ['href', 'title', 'target', 'rel'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      td: ['colspan', 'rowspan', 'align', 'valign'],
      th: ['colspan', 'rowspan', 'align', 'valign'],
      '*': ['dir', 'lang'],
    },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['cid', 'data'] },
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer nofollow' } }),
      img: (tagName, attribs): sanitizeHtml.Tag => {
        const src = attribs.src ?? '';
        if (src.toLowerCase().startsWith('cid:')) {
          const url = opts.cidUrl?.(src.slice(4));
          return url ? { tagName, attribs: { ...attribs, src: url } } : { tagName: 'span', attribs: {}, text: `[image: ${attribs.alt ?? src}]` };
        }
        if (/^data:image\/(png|gif|jpe?g|webp);/i.test(src)) return { tagName, attribs };
        let host = 'unknown host';
        try { host = new URL(src).host; } catch { /* keep default */ }
        return { tagName: 'span', attribs: { title: 'remote image not loaded' }, text: `[remote image from ${host} not loaded]` };
      },
    },
  });

/**
 * Bounds on the work one inbound message may cause. Each is checked before the expensive step it guards,
 * so a hostile or broken message costs at most this much and is quarantined with the limit it hit.
 */

/** The most MIME parts (Content-Type headers at any depth) a message may have before it is not parsed. */
export const MAX_MIME_PARTS = 500;
/** The largest header block of one part (mailparser's maxHeadSize). */
export const MAX_HEADER_BYTES = 512 * 1024;
/** HTML longer than this is not converted to text by the HTML parser; tags are stripped crudely instead. */
export const MAX_HTML_TO_TEXT_CHARS = 1_000_000;
/** HTML kept on the message row; longer HTML is truncated (the raw message keeps everything). */
export const MAX_STORED_HTML_CHARS = 2_000_000;
/** Plain text kept on the message row and fed to quote stripping, classification and rules. */
export const MAX_STORED_TEXT_CHARS = 1_000_000;

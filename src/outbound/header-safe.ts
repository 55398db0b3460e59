/**
 * Header hygiene for everything Mailroom writes into an outgoing message. User input (customer names,
 * subjects, cc addresses, template output) never reaches a header with a line break in it: a CR or LF
 * would end the header and let the rest of the value become a new header (`Bcc:`) or the body.
 * nodemailer folds such values too; this is the first line of defence, and the one that is tested.
 */

/** Line breaks of any kind (CR, LF, NEL, Unicode line/paragraph separators). */
const LINE_BREAKS = /[\r\n\u0085\u2028\u2029]+/g;
/** C0 controls except TAB, and DEL: they have no business in a header. */
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** RFC 5322 line length limit; a header value is cut well below it. */
export const MAX_HEADER_VALUE_LENGTH = 900;

/** A value safe for a single header line: line breaks become spaces, controls are dropped, whitespace collapsed. */
export const headerText = (value: string, maxLength = MAX_HEADER_VALUE_LENGTH): string =>
  value.replace(LINE_BREAKS, ' ').replace(CONTROLS, '').replace(/\s+/g, ' ').trim().slice(0, maxLength);

/** True when the value would break out of a header line. */
export const hasLineBreak = (value: string): boolean => /[\r\n\u0085\u2028\u2029\u0000]/.test(value);

/**
 * A bare address (`local@domain`) as the API accepts it for cc: no display name, no brackets, no spaces,
 * no line breaks, one `@`, a dotted domain. Stricter than RFC 5322 on purpose.
 */
export const BARE_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$/;

/** True for an address BARE_ADDRESS accepts (and at most 254 characters, RFC 5321). */
export const isBareAddress = (value: string): boolean => value.length <= 254 && BARE_ADDRESS.test(value);

/** A Message-ID (without brackets) safe to put between `<` and `>`: no whitespace, brackets or controls. */
export const isSafeMessageId = (value: string): boolean => /^[^\s<>\u0000-\u001F\u007F]{1,500}$/.test(value);

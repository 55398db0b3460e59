/**
 * The text the classifier reads for a message: its subject, then the visible text (quoted history and
 * signature already removed by intake). Training examples taken from past tickets and messages being
 * classified must be composed the same way, so both go through this function.
 */
export type ComposeMessageTextOptions = { subject: string; visibleText: string };

/** Subject and visible text joined by a newline; an empty part is left out. */
export const composeMessageText = ({ subject, visibleText }: ComposeMessageTextOptions): string =>
  [subject.trim(), visibleText.trim()].filter((part) => part.length > 0).join('\n');

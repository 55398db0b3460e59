/** One message with the category a person gave it: the unit the classifier learns from. */
export type LabeledExample = {
  /** what the classifier reads: for a ticket, see composeMessageText (subject + visible text) */
  text: string;
  category: string;
};

/**
 * A web-form submission becomes an ordinary RFC 822 message, so it goes through the same accept →
 * process path as mail (and a backtest can replay it). nodemailer's MailComposer does the encoding:
 * user input lands only in encoded header values and the body, never as raw header lines, so a name or
 * subject with CR/LF cannot inject headers.
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { FormConfig } from '../config.js';
import { newMessageId } from '../mail-identity.js';

export type FormSubmission = { name: string; email: string; subject: string; message: string };

/** Collapses CR, LF and other control characters to spaces: single-line fields stay single-line. */
export const singleLine = (s: string): string => s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();

export const composeFormMessage = async (opts: {
  form: FormConfig;
  submission: FormSubmission;
  domain: string;
  now: Date;
  meta: { ip: string; userAgent?: string };
}): Promise<Buffer> => {
  const { form, submission, domain } = opts;
  const mail = new MailComposer({
    from: { name: singleLine(submission.name) || submission.email, address: submission.email },
    to: { name: form.title, address: `form-${form.id}@${domain}` },
    subject: singleLine(submission.subject) || `${form.title}`,
    messageId: `<${newMessageId(domain, 'form')}>`,
    date: opts.now,
    text: submission.message,
    headers: {
      'X-Mailroom-Form': form.id,
      'X-Mailroom-Submitter-IP': opts.meta.ip,
    },
  });
  return mail.compile().build();
};

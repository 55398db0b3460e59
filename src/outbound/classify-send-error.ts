/**
 * Is an SMTP failure worth retrying? Pure; reads the fields nodemailer puts on its errors
 * (`responseCode`, `response`, `code`, `command`).
 *
 *  - 4xx reply (RFC 5321 §4.2.1: transient negative completion: greylisting, mailbox busy, rate
 *    limits) → temporary.
 *  - 5xx reply → permanent (user unknown, message rejected, too large), except on authentication
 *    (`EAUTH`, 535/534/530): that is our configuration, not the message; it is retried so nothing is lost
 *    while someone fixes the credentials, and shows as the outbox's last error meanwhile.
 *  - no reply at all: the connection could not be made or was lost (`ECONNECTION`, `ETIMEDOUT`,
 *    `ESOCKET`, `EDNS`, `ECONNREFUSED`, TLS errors) → temporary.
 *  - the message could not be built (`EMESSAGE`, `EENVELOPE` without a reply, e.g. no valid recipient)
 *    → permanent: retrying the same bytes cannot help.
 *  - anything else → temporary; `smtp.maxAttempts` bounds it.
 */
export type SendErrorLike = { message?: string; code?: string; responseCode?: number; response?: string; command?: string };

export type SendErrorClass = { kind: 'temporary' | 'permanent'; reason: string; serverResponse: string | null };

const PERMANENT_WITHOUT_REPLY = new Set(['EMESSAGE', 'EENVELOPE', 'EPROTOCOL_MESSAGE']);

export const classifySendError = (err: SendErrorLike): SendErrorClass => {
  const serverResponse = err.response ? err.response.slice(0, 1000) : null;
  const code = err.code ?? '';
  const what = (err.message ?? 'unknown error').slice(0, 500);
  if (typeof err.responseCode === 'number') {
    const cls = Math.floor(err.responseCode / 100);
    if (cls === 4) return { kind: 'temporary', reason: `temporary SMTP failure ${err.responseCode}: ${what}`, serverResponse };
    if (cls === 5 && code === 'EAUTH') return { kind: 'temporary', reason: `SMTP authentication failed (check smtp.user/password): ${what}`, serverResponse };
    if (cls === 5) return { kind: 'permanent', reason: `rejected by the SMTP server (${err.responseCode}): ${what}`, serverResponse };
  }
  if (PERMANENT_WITHOUT_REPLY.has(code)) return { kind: 'permanent', reason: `cannot be sent: ${what}`, serverResponse };
  return { kind: 'temporary', reason: `${code ? `${code}: ` : ''}${what}`, serverResponse };
};

/**
 * What kind of trouble an IMAP account is in, from the error imapflow (or Node's socket layer) raised.
 * Pure. The kind is what /health shows (no message text there: it can name users and hosts); the full
 * message is in GET /api/channels.
 *
 *  - auth: the server refused the credentials (`authenticationFailed`, `AUTHENTICATIONFAILED`,
 *    `NO [AUTHENTICATIONFAILED]`, an expired OAuth2 token);
 *  - tls: certificate or handshake failure (`ERR_TLS_*`, `CERT_*`, self-signed, hostname mismatch);
 *  - connection: the server cannot be reached or hung up (refused, reset, timeout, DNS, closed);
 *  - folder: the configured folder (or the move target) does not exist or cannot be selected;
 *  - protocol: anything else the server said no to.
 */
export type ImapErrorKind = 'auth' | 'tls' | 'connection' | 'folder' | 'protocol';

export type ImapErrorLike = {
  message?: string;
  code?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
};

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'ETIMEOUT', 'NoConnection', 'EConnectionClosed', 'ClosedAfterConnectTLS', 'ClosedAfterConnectText',
]);

export const classifyImapError = (err: ImapErrorLike): ImapErrorKind => {
  const code = err.code ?? '';
  const text = `${err.message ?? ''} ${err.responseText ?? ''}`;
  if (err.authenticationFailed || err.serverResponseCode === 'AUTHENTICATIONFAILED' || /authenticat|invalid credentials|login failed|AUTHORIZATIONFAILED/i.test(text)) return 'auth';
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_VERIFY|DEPTH_ZERO|SELF_SIGNED)/.test(code) || /certificate|handshake|\bTLS\b|\bSSL\b/i.test(text)) return 'tls';
  if (CONNECTION_CODES.has(code) || /connection (?:closed|lost|refused|reset)|socket|timed? ?out|ECONN|closed by the server/i.test(text)) return 'connection';
  if (err.serverResponseCode === 'NONEXISTENT' || /mailbox (?:doesn't|does not) exist|no such (?:mailbox|folder)|unknown mailbox|NONEXISTENT/i.test(text)) return 'folder';
  return 'protocol';
};

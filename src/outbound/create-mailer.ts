/**
 * The SMTP side of the outbox: a pooled nodemailer transport built from `smtp` in the config. It only
 * sends what it is given; what to send, when to retry and what to record is send-outbox-message.ts.
 */
import nodemailer from 'nodemailer';
import type { SmtpConfig } from '../config.js';
import type { OutboxAddress } from '../db/schema/index.js';

/** Connection time limits, so a send can never hang longer than these (the outbox relies on it). */
export const SMTP_CONNECTION_TIMEOUT_MS = 30_000;
export const SMTP_GREETING_TIMEOUT_MS = 30_000;
export const SMTP_SOCKET_TIMEOUT_MS = 120_000;

export type OutgoingMail = {
  from: OutboxAddress;
  to: OutboxAddress[];
  cc: OutboxAddress[];
  subject: string;
  text: string;
  html: string | null;
  /** without brackets */
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  headers: Record<string, string>;
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>;
  /** MAIL FROM: '' for the null sender, null for the From address */
  envelopeFrom: string | null;
  date: Date;
};

export type SendResult = { response: string; accepted: string[]; rejected: string[] };

export interface Mailer {
  /** host:port, for logs and the API */
  readonly describe: string;
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): void;
}

const bracket = (id: string) => `<${id}>`;

const addressList = (list: Array<string | { address: string }>): string[] => list.map((a) => (typeof a === 'string' ? a : a.address));

/** A pooled SMTP mailer; `smtp.host` must be set. */
export const createMailer = (smtp: SmtpConfig & { host: string }): Mailer => {
  const auth = smtp.user
    ? (smtp.accessToken ? { type: 'OAuth2' as const, user: smtp.user, accessToken: smtp.accessToken } : { user: smtp.user, pass: smtp.password ?? '' })
    : undefined;
  const transport = nodemailer.createTransport({
    pool: true,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth,
    maxConnections: smtp.maxConnections,
    maxMessages: 100,
    connectionTimeout: SMTP_CONNECTION_TIMEOUT_MS,
    greetingTimeout: SMTP_GREETING_TIMEOUT_MS,
    socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
    tls: { rejectUnauthorized: smtp.tlsRejectUnauthorized },
  });
  transport.on('error', () => { /* per-message errors reach send(); pool-level ones need no crash */ });
  return {
    describe: `${smtp.host}:${smtp.port}`,
    async send(mail) {
      const info = await transport.sendMail({
        from: { name: mail.from.name, address: mail.from.address },
        to: mail.to.map((a) => ({ name: a.name, address: a.address })),
        cc: mail.cc.length ? mail.cc.map((a) => ({ name: a.name, address: a.address })) : undefined,
        subject: mail.subject,
        text: mail.text,
        html: mail.html ?? undefined,
        messageId: bracket(mail.messageId),
        inReplyTo: mail.inReplyTo ? bracket(mail.inReplyTo) : undefined,
        references: mail.references.length ? mail.references.map(bracket) : undefined,
        headers: mail.headers,
        attachments: mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
        date: mail.date,
        envelope: {
          from: mail.envelopeFrom === null ? mail.from.address : mail.envelopeFrom,
          to: [...mail.to, ...mail.cc].map((a) => a.address),
        },
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      return { response: String(info.response ?? ''), accepted: addressList(info.accepted ?? []), rejected: addressList(info.rejected ?? []) };
    },
    close() {
      transport.close();
    },
  };
};

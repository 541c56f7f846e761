import nodemailer from 'nodemailer';
import { log } from '../../../lib/log';

export type Mail = { to: string; subject: string; text: string; html: string; messageId: string };
export type Mailer = { send(mail: Mail): Promise<void>; close(): void };

/**
 * E-mail over SMTP with nodemailer (`SMTP_URL`, e.g. smtp://user:pass@host:587). Unset: mails are only
 * logged (subject and recipient's domain). The Message-ID is the delivery's idempotency key, so a mail
 * sent again after a crash is recognisably the same one.
 */
export function createMailer(opts: { url: string | undefined; from: string }): Mailer {
  const transport = opts.url ? nodemailer.createTransport(opts.url) : null;
  return {
    async send(mail) {
      if (!transport) {
        log.info('mail (SMTP_URL unset)', { domain: mail.to.split('@')[1], subject: mail.subject });
        return;
      }
      await transport.sendMail({
        from: opts.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
      });
    },
    close: () => transport?.close(),
  };
}

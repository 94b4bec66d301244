import type { Transporter } from 'nodemailer';
import type { EscalationMessage, EscalationSender, SendOutcome } from './escalation-channel';
import { renderEscalationEmail } from './email-message';

export interface EmailChannelOptions {
  /** smtp:// or smtps://, credentials in the URL. */
  smtpUrl: string;
  /** `Herald <herald@example.com>` or a bare address. */
  from: string;
  timeoutMs: number;
}

/**
 * E-mails an escalation through SMTP_URL to the user's address (the `email` claim of their
 * latest token, or the one a service set). A user without an address is skipped, not
 * retried: no retry would find one.
 */
export class EmailChannel implements EscalationSender {
  readonly channel = 'email' as const;
  /** Made on the first e-mail: nodemailer is loaded only by a process that sends one. */
  private transport?: Promise<Transporter>;

  constructor(private readonly options: EmailChannelOptions) {}

  async send({ escalationId, notification, user }: EscalationMessage): Promise<SendOutcome> {
    if (!user.email) return { status: 'skipped', reason: 'no e-mail address known' };
    const content = renderEscalationEmail(notification);
    try {
      const transport = await this.transporter();
      await transport.sendMail({
        from: this.options.from,
        to: user.email,
        subject: content.subject,
        text: content.text,
        html: content.html,
        headers: { 'X-Herald-Escalation-Id': escalationId },
      });
      return { status: 'sent' };
    } catch (error) {
      return {
        status: 'failed',
        error: `SMTP: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }

  close(): void {
    void this.transport?.then((transport) => transport.close()).catch(() => undefined);
  }

  private transporter(): Promise<Transporter> {
    this.transport ??= import('nodemailer').then(({ createTransport }) =>
      createTransport({
        url: this.options.smtpUrl,
        connectionTimeout: this.options.timeoutMs,
        greetingTimeout: this.options.timeoutMs,
        socketTimeout: this.options.timeoutMs,
      }),
    );
    return this.transport;
  }
}

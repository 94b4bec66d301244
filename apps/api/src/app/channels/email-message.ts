import type { Notification } from '@herald/ws-contracts';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] as string);
}

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/**
 * The e-mail of an escalated notification: subject = title, a text part and an HTML part
 * with the message. Every user-provided string is escaped in the HTML; line breaks of the
 * message are kept. Subject line breaks are folded to spaces (they would end the header).
 */
export function renderEscalationEmail(notification: Notification): EmailContent {
  const title = notification.title;
  const message = notification.message;
  const html = [
    '<!doctype html>',
    '<html><body style="font-family:sans-serif;line-height:1.5">',
    `<h1 style="font-size:18px">${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(message).replace(/\r?\n/g, '<br>')}</p>`,
    '<p style="color:#666;font-size:12px">You received this e-mail because this notification was not seen on any of your devices.</p>',
    '</body></html>',
  ].join('\n');
  return {
    subject: title.replace(/[\r\n]+/g, ' '),
    text: `${message}\n\n--\nYou received this e-mail because this notification was not seen on any of your devices.\n`,
    html,
  };
}

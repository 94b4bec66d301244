import { escapeHtml, renderEscalationEmail } from './email-message';

const notification = {
  id: '3f1c2a9e-6b7d-4c1e-9a2b-0d4e5f6a7b8c',
  userId: 'u1',
  type: 'info',
  title: 'Invoice <b>"paid"</b> & filed',
  message: "Line one <script>alert('x')</script>\nLine two",
  data: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  deliveredAt: null,
  readAt: null,
  expiresAt: null,
};

describe('escalation e-mail', () => {
  it('escapes every HTML-significant character', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });

  it('puts the title in the subject and the message, escaped, in the HTML part', () => {
    const mail = renderEscalationEmail(notification);
    expect(mail.subject).toBe(notification.title);
    expect(mail.html).toContain('Invoice &lt;b&gt;&quot;paid&quot;&lt;/b&gt; &amp; filed');
    expect(mail.html).toContain(
      'Line one &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;<br>Line two',
    );
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>');
    expect(mail.text.startsWith(notification.message)).toBe(true);
  });

  it('folds line breaks out of the subject', () => {
    expect(renderEscalationEmail({ ...notification, title: 'a\r\nBcc: x@y' }).subject).toBe(
      'a Bcc: x@y',
    );
  });
});

import type { StoredMail } from './mail-store.ts';

/** Everything a sender wrote is untrusted: escaped for text and for attribute values alike. */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * The inbox page forbids scripts, frames from elsewhere and remote loads; a mail's HTML body is
 * shown in a sandboxed iframe (srcdoc, no scripts, no same-origin), so even markup that slipped
 * past the escaping could not act on the page.
 */
export const inboxContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const style = `body{font:14px system-ui,sans-serif;margin:2rem;color:#222}article{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:.75rem 1rem}
h2{font-size:1rem;margin:.2rem 0}.meta{color:#555}.status{font-weight:600}.status-bounced,.status-dropped{color:#b00}.status-delivered{color:#070}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}iframe{width:100%;height:240px;border:1px solid #ddd}`;

function renderMail(mail: StoredMail): string {
  const line = (label: string, value: string) => `<div class="meta">${label}: ${escapeHtml(value)}</div>`;
  return `<article id="${escapeHtml(mail.id)}">
<h2>${escapeHtml(mail.subject ?? '(no subject)')}</h2>
${line('From', mail.from)}${line('To', [...mail.to, ...mail.cc].join(', '))}${line('Sent', mail.sent_at)}
${mail.categories.length > 0 ? line('Categories', mail.categories.join(', ')) : ''}
<div class="status status-${escapeHtml(mail.status)}">${escapeHtml(mail.status)}</div>
${mail.text !== null ? `<pre>${escapeHtml(mail.text)}</pre>` : ''}
${mail.html !== null ? `<iframe sandbox title="HTML body" srcdoc="${escapeHtml(mail.html)}"></iframe>` : ''}
</article>`;
}

export function renderMailInbox(mails: StoredMail[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>recur sandbox: mail (${mails.length})</title><style>${style}</style></head>
<body><h1>Mail sent through the SendGrid sandbox (${mails.length})</h1>
${mails.length === 0 ? '<p>No mail yet.</p>' : mails.map(renderMail).join('\n')}
</body></html>`;
}

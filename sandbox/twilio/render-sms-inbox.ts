import type { MessageJson } from './message-store.ts';

/** Everything a sender wrote is untrusted. (The mail inbox has the same helper; a shared home in sandbox/core would suit both.) */
function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** No scripts, no remote loads: the page only ever shows escaped text. */
export const smsInboxContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";

const style = `body{font:14px system-ui,sans-serif;margin:2rem;color:#222}.sms{max-width:28rem;border:1px solid #ccc;border-radius:12px;margin:1rem 0;padding:.6rem .9rem;background:#f4f8ff}
.meta{color:#555;font-size:12px}.body{white-space:pre-wrap;margin:.4rem 0}.status{font-weight:600}.status-failed,.status-undelivered{color:#b00}.status-delivered{color:#070}`;

function renderMessage(message: MessageJson): string {
  const error = message.error_code !== null ? ` (${message.error_code}: ${message.error_message ?? ''})` : '';
  return `<div class="sms" id="${escapeHtml(message.sid)}">
<div class="meta">${escapeHtml(message.from ?? '(messaging service)')} &rarr; ${escapeHtml(message.to)} &middot; ${escapeHtml(message.date_created)} &middot; ${escapeHtml(message.num_segments)} segment(s)</div>
<div class="body">${escapeHtml(message.body)}</div>
<div class="status status-${escapeHtml(message.status)}">${escapeHtml(message.status + error)}</div>
</div>`;
}

export function renderSmsInbox(messages: MessageJson[], optedOut: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>recur sandbox: SMS (${messages.length})</title><style>${style}</style></head>
<body><h1>SMS sent through the Twilio sandbox (${messages.length})</h1>
${optedOut.length > 0 ? `<p class="meta">Opted out (STOP): ${optedOut.map(escapeHtml).join(', ')}</p>` : ''}
${messages.length === 0 ? '<p>No messages yet.</p>' : messages.map(renderMessage).join('\n')}
</body></html>`;
}

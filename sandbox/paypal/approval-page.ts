import { escapeHtml } from '../stripe/hosted/html.ts';
import { defaultPayer, testPayers } from './test-payers.ts';

export type ApprovalPage = { title: string; lines: string[]; action: string; hidden: Record<string, string>; agree: string; cancelUrl: string | null; error?: string };

/** A plain page standing in for PayPal's hosted approval: pick a test payer, agree or cancel. */
export function renderApprovalPage(page: ApprovalPage): string {
  const payers = Object.entries(testPayers)
    .map(([email, behaviour]) => `<label><input type="radio" name="payer" value="${escapeHtml(email)}"${email === defaultPayer ? ' checked' : ''}> ${escapeHtml(email)} <span class="note">${escapeHtml(behaviour)}</span></label>`)
    .join('\n');
  const hidden = Object.entries(page.hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} - recur PayPal sandbox</title>
<style>
body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#142c8e}
h1{font-size:1.4rem}.note{color:#666;font-size:.8rem}.error{background:#fde8e8;color:#9b1c1c;padding:.6rem;border-radius:6px}
label{display:block;margin:.4rem 0}button{padding:.6rem 1.2rem;margin-top:.8rem;border-radius:20px;border:0;background:#0070ba;color:#fff;font-weight:600;cursor:pointer}
</style></head><body>
<p class="note">recur PayPal sandbox - test mode, no real money moves</p>
<h1>${escapeHtml(page.title)}</h1>
${page.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n')}
${page.error ? `<p class="error" role="alert">${escapeHtml(page.error)}</p>` : ''}
<form method="post" action="${escapeHtml(page.action)}">${hidden}
<fieldset><legend>Log in as a test payer</legend>
${payers}
</fieldset>
<button type="submit">${escapeHtml(page.agree)}</button>
</form>
${page.cancelUrl ? `<p><a href="${escapeHtml(page.cancelUrl)}">Cancel and return to merchant</a></p>` : ''}
</body></html>`;
}

/** `url` with the query parameters added (PayPal appends its tokens to the merchant's URLs). */
export function withQuery(url: string, params: Record<string, string>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  return target.toString();
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

export function formatAmount(amount: number | null | undefined, currency: string | null | undefined): string {
  return `${((amount ?? 0) / 100).toFixed(2)} ${(currency ?? '').toUpperCase()}`;
}

/** A plain page in the sandbox's own look: these stand in for pages Stripe hosts. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - recur Stripe sandbox</title>
<style>
body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1a1a2e}
h1{font-size:1.4rem}.note{color:#666;font-size:.85rem}.error{background:#fde8e8;color:#9b1c1c;padding:.6rem;border-radius:6px}
table{width:100%;border-collapse:collapse}td{padding:.3rem 0}td.amount{text-align:right}
label{display:block;margin:.3rem 0}button{padding:.5rem 1rem;margin:.5rem .5rem 0 0;border-radius:6px;border:1px solid #635bff;background:#635bff;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#635bff}input[type=email],input[type=text]{width:100%;padding:.4rem;box-sizing:border-box}
</style></head><body>
<p class="note">recur sandbox - test mode, no real money moves</p>
<h1>${escapeHtml(title)}</h1>
${body}
</body></html>`;
}

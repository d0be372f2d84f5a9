import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const AXE_SCRIPT = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));

/** One rule axe-core found broken, with the elements that break it. */
export type AxeFinding = { id: string; impact: string | null; help: string; targets: string[][] };

/** axe-core's serious and critical findings on the whole document `page` shows (axe's default context). */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const findings = await page.evaluate(async () => {
    type Violation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };
    const axe = (globalThis as unknown as { axe: { run(options: unknown): Promise<{ violations: Violation[] }> } }).axe;
    // Violations are gathered in full either way; this only spares axe listing every pass.
    const { violations } = await axe.run({ resultTypes: ['violations'] });
    return violations.map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, targets: violation.nodes.map((node) => node.target) }));
  });
  return findings.filter((finding) => finding.impact === 'serious' || finding.impact === 'critical');
}

/**
 * Expects no serious or critical violation on `url` (where `page` is, by default). The pages' own
 * policy refuses axe's injected script, so the page is opened again in a context that bypasses the
 * policy and carries `page`'s session (cookies and storage); a GET page changes nothing, so opening
 * it twice is safe. `after` reaches, in that copy, a page that answers a form.
 */
export async function expectAccessible(page: Page, options: { url?: string; after?: (copy: Page) => Promise<void> } = {}): Promise<void> {
  const url = options.url ?? page.url();
  const browser = page.context().browser();
  if (!browser) throw new Error('expectAccessible needs a page of a launched browser');
  const context = await browser.newContext({ bypassCSP: true, storageState: await page.context().storageState() });
  try {
    const copy = await context.newPage();
    await copy.goto(url);
    // A redirect would check another page than the one named.
    expect(copy.url()).toBe(url);
    if (options.after) await options.after(copy);
    expect(await seriousViolations(copy), copy.url()).toEqual([]);
  } finally {
    await context.close();
  }
}

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { takeScreenshots } from '../../scripts/take-screenshots.ts';

/**
 * `npm run screenshots` (the README's pictures) still walks every page it names: each one is
 * reached in the browser and written as a PNG as wide as the window, nothing wider (a page that
 * overflows sideways would be).
 */
const CHROMIUM = '/usr/bin/chromium';
const browserMissing = !existsSync(CHROMIUM);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe.skipIf(browserMissing && process.env.RECUR_BROWSER_TESTS !== 'required')('the README screenshots script', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'recur-screenshots-test-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('takes every page of the portal and the dashboard it names, none wider than the window', async () => {
    const files = await takeScreenshots(outDir);
    expect(files.map((file) => basename(file))).toEqual(expect.arrayContaining(['portal-overview.png', 'portal-cancel.png', 'portal-change-plan.png', 'portal-payments.png', 'portal-withdraw.png', 'portal-plan-picker.png', 'admin-overview.png', 'admin-customer.png', 'admin-subscriptions.png', 'admin-audit-log.png', 'admin-webhook-inbox.png', 'admin-reconciliation-run.png']));
    for (const file of files) {
      const png = readFileSync(file);
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE), file).toBe(true);
      // IHDR: width at byte 16, height at 20 (big-endian).
      expect(png.readUInt32BE(16), `${basename(file)} is wider than the window`).toBe(1100);
      expect(png.readUInt32BE(20)).toBeGreaterThan(300);
    }
  }, 240_000);
});

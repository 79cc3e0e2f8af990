// Screenshots of a built report at laptop and phone widths, with the same checks as the
// browser test. Usage: npx tsx packages/report/testing/screenshot.ts [page] [out dir]
import { join, resolve } from 'node:path';
import { tempDir } from '@cvc/core/testing';
import { checkPage, launchChromium } from './browser.ts';

const page = resolve(process.argv[2] ?? 'artifacts/report/index.html');
const out = process.argv[3] ? resolve(process.argv[3]) : tempDir('cvc-report-shots-');
const browser = await launchChromium();
try {
  for (const [name, width, height] of [['laptop', 1366, 800], ['phone', 390, 844]] as const) {
    const file = join(out, `report-${name}.png`);
    const check = await checkPage(browser, page, { width, height }, file);
    const broken = check.images.filter((i) => !i.naturalWidth);
    console.log(`${name}: ${file} — ${check.images.length} images (${broken.length} broken), ${check.consoleErrors.length} console errors, ` +
      `${check.failedRequests.length} failed requests, page ${check.scrollWidth}px wide in a ${check.viewportWidth}px viewport, sections ${check.sectionIds.join(', ')}`);
    for (const e of [...check.consoleErrors, ...check.failedRequests, ...check.pageErrors]) console.log(`  ${e}`);
  }
} finally {
  await browser.close();
}

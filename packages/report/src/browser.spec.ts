// End to end: the page of a small fixture run, opened from disk in headless Chromium (Debian's
// package, driven by playwright-core) at laptop and phone widths. Every image and chart must
// load, nothing may log an error, the page must fit the screen width; screenshots are saved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { tempDir } from '@cvc/core/testing';
import { fixtureRun, type FixtureRun } from '../testing/fixture-run.ts';
import { checkPage, launchChromium } from '../testing/browser.ts';
import { prepareReportView } from './view.ts';

const VIEWPORTS = [
  { name: 'laptop', width: 1366, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

describe('report page in headless Chromium', () => {
  let run: FixtureRun;
  let browser: Browser;
  const shots = tempDir('cvc-report-shots-');

  beforeAll(async () => {
    browser = await launchChromium(); // fails with "apt-get install -y chromium" when missing
    run = await fixtureRun({ stages: ['classifier', 'ranker', 'generator'] });
    prepareReportView(run.pipelineFile); // what `cvc report` does: refresh the run times beside the page
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('notices a broken image, a console error and a failed script (the checks can fail)', async () => {
    const bad = join(shots, 'broken.html');
    writeFileSync(bad, '<!doctype html><img src="missing.png" alt="gone"><script>console.error("boom")</script><script src="nope.js"></script>');
    const check = await checkPage(browser, bad, VIEWPORTS[0], join(shots, 'broken.png'));
    expect(check.images).toMatchObject([{ alt: 'gone', naturalWidth: 0 }]);
    expect(check.consoleErrors).toContain('boom');
    expect(check.failedRequests.join('\n')).toMatch(/missing\.png[\s\S]*nope\.js|nope\.js[\s\S]*missing\.png/);
  }, 30_000);

  for (const viewport of VIEWPORTS) {
    it(`loads every image and chart without errors at ${viewport.name} width (${viewport.width}px)`, async () => {
      const screenshot = join(shots, `report-${viewport.name}.png`);
      const check = await checkPage(browser, run.page, viewport, screenshot);
      console.log(`screenshot (${viewport.name}): ${screenshot}`);
      expect(check.sectionIds).toEqual(['dataset', 'classifier', 'ranker', 'generator', 'provenance']);
      // 12 samples + split chart; 2 charts + 5 plots; 17 ranked images + 3 panel charts + 2 scorer-agreement charts;
      // per generator (vae, frequency) 2 hybrids + 4 pictures (nearest-image strip, strips, samples, all hybrids), and vae's loss chart.
      expect(check.images.length).toBe(55);
      expect(check.images.filter((img) => !img.complete || img.naturalWidth === 0)).toEqual([]);
      expect(check.consoleErrors).toEqual([]);
      expect(check.pageErrors).toEqual([]);
      expect(check.failedRequests).toEqual([]);
      expect(check.runTimesRows).toBe(5); // the run-times script beside the page was found and rendered
      expect(check.scrollWidth).toBeLessThanOrEqual(check.viewportWidth); // no sideways scrolling of the whole page
    }, 60_000);
  }
});

// The report's pipeline picture in headless Chromium (Debian's package, as the page test): drawn
// inline, every stage's status line filled from the run times beside the page, boxes apart, every
// label inside its box as the browser measures the text, the picture within the screen's width.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { tempDir } from '@cvc/core/testing';
import { fixtureRun, type FixtureRun } from '../testing/fixture-run.ts';
import { launchChromium } from '../testing/browser.ts';
import { prepareReportView } from './view.ts';

interface DagCheck {
  stages: string[];
  statuses: string[];
  boxes: { x: number; y: number; width: number; height: number }[];
  textsOutside: string[];
  svgWidth: number;
  viewportWidth: number;
  errors: string[];
}

describe('the pipeline picture in headless Chromium', () => {
  let run: FixtureRun;
  let browser: Browser;
  const shots = tempDir('cvc-dag-shots-');

  beforeAll(async () => {
    browser = await launchChromium();
    run = await fixtureRun({ stages: ['classifier'], sections: ['pipeline', 'dataset', 'classifier', 'provenance'] });
    prepareReportView(run.pipelineFile);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
  });

  for (const viewport of [{ name: 'laptop', width: 1366, height: 800 }, { name: 'phone', width: 390, height: 844 }]) {
    it(`draws the DAG with filled status lines and no overlap at ${viewport.name} width`, async () => {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(run.page).href, { waitUntil: 'load' });
      const check = (await page.evaluate(`(() => {
        const svg = document.querySelector('#pipeline svg.dag');
        const nodes = [...svg.querySelectorAll('.dag-node')];
        const textsOutside = [];
        for (const node of nodes) {
          const box = node.querySelector('rect').getBBox();
          for (const t of node.querySelectorAll('text')) {
            const b = t.getBBox();
            if (b.x < box.x || b.x + b.width > box.x + box.width || b.y < box.y || b.y + b.height > box.y + box.height) textsOutside.push(t.textContent);
          }
        }
        return {
          stages: [...svg.querySelectorAll('.dag-stage')].map((n) => n.dataset.node),
          statuses: [...svg.querySelectorAll('.dag-status')].map((t) => t.textContent.trim()),
          boxes: nodes.map((n) => { const b = n.querySelector('rect').getBBox(); return { x: b.x, y: b.y, width: b.width, height: b.height }; }),
          textsOutside,
          svgWidth: svg.getBoundingClientRect().width,
          viewportWidth: window.innerWidth,
        };
      })()`)) as Omit<DagCheck, 'errors'>;
      await page.locator('#pipeline').screenshot({ path: join(shots, `dag-${viewport.name}.png`) });
      console.log(`screenshot: ${join(shots, `dag-${viewport.name}.png`)}`);
      await context.close();

      expect(check.stages).toEqual(['data-prep', 'classifier', 'report']);
      // Filled at view time from artifacts/.runs (the fixture ran each stage through the runner).
      // Run by `cvc stage` one after another (no nx run): the upstream stages count as reused by the report's build, which ran.
      expect(check.statuses).toEqual(['reused, not run', 'reused, not run', expect.stringMatching(/^ran \d+\.\d s$/)]);
      for (const [i, a] of check.boxes.entries()) {
        for (const b of check.boxes.slice(i + 1)) expect(a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height).toBe(false);
      }
      expect(check.textsOutside).toEqual([]);
      expect(check.svgWidth).toBeLessThanOrEqual(check.viewportWidth);
      expect(errors).toEqual([]);
    }, 60_000);
  }
});

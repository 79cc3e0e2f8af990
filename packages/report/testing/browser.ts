// Headless Chromium for the page test: Debian's `chromium` package driven by playwright-core
// (never a downloaded browser). Loads a page from disk and reports what a user would miss:
// broken images, console errors, failed requests; saves full-page screenshots.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CVC_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM}: Chromium is not installed; install Debian's package: apt-get update && apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

export interface PageCheck {
  images: Array<{ src: string; alt: string; naturalWidth: number; complete: boolean }>;
  consoleErrors: string[];
  failedRequests: string[];
  pageErrors: string[];
  /** Width of the document vs the viewport: wider means a horizontal scrollbar on the whole page. */
  scrollWidth: number;
  viewportWidth: number;
  runTimesRows: number;
  sectionIds: string[];
}

export async function checkPage(browser: Browser, file: string, viewport: { width: number; height: number }, screenshot: string): Promise<PageCheck> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('requestfailed', (r) => failedRequests.push(`${r.url().slice(0, 120)}: ${r.failure()?.errorText ?? ''}`));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  // Runs in the page (a string, so this Node-side file needs no DOM types).
  const result = (await page.evaluate(`(() => ({
    images: [...document.images].map((img) => ({ src: img.src.slice(0, 60), alt: img.alt, naturalWidth: img.naturalWidth, complete: img.complete })),
    scrollWidth: document.documentElement.scrollWidth,
    viewportWidth: window.innerWidth,
    runTimesRows: document.querySelectorAll('#run-times tbody tr').length,
    sectionIds: [...document.querySelectorAll('main > section')].map((s) => s.id),
  }))()`)) as Omit<PageCheck, 'consoleErrors' | 'failedRequests' | 'pageErrors'>;
  await page.screenshot({ path: screenshot, fullPage: true });
  await context.close();
  return { ...result, consoleErrors, failedRequests, pageErrors };
}

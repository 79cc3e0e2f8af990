// The page: header, a table of contents, the sections in order, and the run-times hook.
import { esc } from './html.ts';
import { PAGE_CSS } from './page-style.ts';
import { RUN_TIMES_SCRIPT } from './page-script.ts';
import { RUNS_SCRIPT_FROM_PAGE } from './run-times.ts';
import type { RenderedSection } from './sections/section.ts';

export function renderPage(opts: { title: string; subtitle: string; sections: RenderedSection[] }): string {
  const nav = opts.sections.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join('\n');
  const body = opts.sections.map((s) => `<section id="${s.id}">\n<h2>${esc(s.title)}</h2>\n${s.html}\n</section>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header><h1>${esc(opts.title)}</h1><p>${esc(opts.subtitle)}</p></header>
<nav>${nav}</nav>
<main>
${body}
</main>
<script>${RUN_TIMES_SCRIPT}</script>
<script src="${RUNS_SCRIPT_FROM_PAGE}"></script>
</body>
</html>
`;
}

// The page's stylesheet: one column that reads on a phone, wider grids on a laptop; small
// images enlarged with pixelated rendering (never smoothed).
export const PAGE_CSS = `
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #e3e3e3; --accent: #2b6cb0; --bg: #fafafa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 1.2rem 1rem 0.6rem; background: white; border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 0.2rem; font-size: 1.5rem; }
header p { margin: 0; color: var(--muted); }
nav { position: sticky; top: 0; z-index: 2; background: white; border-bottom: 1px solid var(--line); padding: 0.4rem 1rem; display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; }
nav a { color: var(--accent); text-decoration: none; white-space: nowrap; }
main { max-width: 1180px; margin: 0 auto; padding: 0 1rem 3rem; }
section { background: white; border: 1px solid var(--line); border-radius: 8px; margin: 1.2rem 0; padding: 0.6rem 1.1rem 1rem; scroll-margin-top: 3rem; }
section > h2 { margin: 0.4rem 0 0.6rem; font-size: 1.25rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 0.4rem; }
.facts, .note { color: var(--muted); }
.note { font-size: 0.9rem; }
.from { color: var(--muted); font-size: 0.8rem; border-top: 1px dashed var(--line); padding-top: 0.4rem; margin-bottom: 0; }
code { font-size: 0.9em; background: #f1f1f1; padding: 0 0.25em; border-radius: 3px; overflow-wrap: anywhere; }
code.digest { overflow-wrap: normal; white-space: nowrap; }
pre { overflow-x: auto; background: #f6f6f6; padding: 0.6rem; font-size: 0.8rem; max-height: 28rem; }
.row { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-start; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 0.4rem 0; font-size: 0.92rem; }
caption { text-align: left; color: var(--muted); padding-bottom: 0.2rem; }
th, td { border-bottom: 1px solid var(--line); padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f4f6f8; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
details summary { cursor: pointer; color: var(--accent); white-space: nowrap; }
figure { margin: 0.6rem 0; max-width: 100%; }
figcaption { color: var(--muted); font-size: 0.88rem; margin: 0.2rem 0; }
figure.chart img, img.plot { max-width: 100%; height: auto; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(64px, 1fr)); gap: 4px; max-width: 860px; }
.tiles img, img.px { width: 100%; height: auto; image-rendering: pixelated; image-rendering: crisp-edges; display: block; background: #eee; }
.tiles figure { margin: 0; }
.tiles figcaption { font-size: 0.75rem; text-align: center; margin: 0; font-variant-numeric: tabular-nums; }
img.px-sheet { max-width: 100%; height: auto; image-rendering: pixelated; image-rendering: crisp-edges; }
.gallery { display: flex; flex-wrap: wrap; gap: 1rem 1.5rem; }
.status-ran { color: #1a7f37; font-weight: 600; }
.status-cached { color: #6639ba; }
.status-later, .status-other-run, .status-unknown, .status-no-record { color: #9a6700; }
@media (max-width: 600px) {
  body { font-size: 14px; }
  main { padding: 0 0.4rem 2rem; }
  section { padding: 0.4rem 0.6rem 0.8rem; border-radius: 0; margin: 0.8rem 0; }
  .tiles { grid-template-columns: repeat(auto-fill, minmax(48px, 1fr)); }
  th, td { padding: 0.2rem 0.35rem; }
  .wide-only { display: none; }
}
`;

// Building HTML as strings: every value from an artifact goes through `esc`, so a class name
// or a file name can never break the page.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A table from a header row and body rows of already-escaped HTML cells; `numeric` columns align right. */
export function table(header: string[], rows: string[][], opts: { numeric?: number[]; caption?: string } = {}): string {
  const align = (i: number) => (opts.numeric?.includes(i) ? ' class="num"' : '');
  const head = header.map((h, i) => `<th${align(i)}>${h}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${align(i)}>${c}</td>`).join('')}</tr>`).join('\n');
  const caption = opts.caption ? `<caption>${opts.caption}</caption>` : '';
  return `<div class="table-wrap"><table>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

export function dataUri(mime: string, bytes: Uint8Array | string): string {
  return `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;
}

/** A number with a fixed count of decimals, or an em dash when missing. */
export function fmt(value: number | null | undefined, decimals = 3): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(decimals) : '—';
}

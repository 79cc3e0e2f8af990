// Plain-text tables for the terminal: columns padded to their widest cell; numbers right-aligned.
export function textTable(header: string[], rows: string[][], opts: { right?: number[]; indent?: string } = {}): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const right = new Set(opts.right ?? []);
  const line = (cells: string[]) =>
    (opts.indent ?? '') +
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

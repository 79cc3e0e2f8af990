// A laid-out graph drawn with box-drawing characters for the terminal. ELK lays the graph out in
// character cells (one unit = one column or one row) with orthogonal edges, so every edge is a
// run of horizontal and vertical segments that maps onto ─ │ ┌ ┐ └ ┘ ┼ and friends.
import { boxLines, type Layout, type Metrics } from '@cvc/report/dag/layout';

/** ELK's spacing in character cells: boxes one row of padding tall, edges one cell apart. */
export const CELLS: Metrics = { charWidth: 1, lineHeight: 1, padX: 2, padY: 1, nodeSpacing: 3, layerSpacing: 2, edgeSpacing: 1, edgeNodeSpacing: 2, direction: 'DOWN' };

const UP = 1;
const DOWN = 2;
const LEFT = 4;
const RIGHT = 8;
const LINES: Record<number, string> = {
  [UP]: '│', [DOWN]: '│', [UP | DOWN]: '│', [LEFT]: '─', [RIGHT]: '─', [LEFT | RIGHT]: '─',
  [DOWN | RIGHT]: '┌', [DOWN | LEFT]: '┐', [UP | RIGHT]: '└', [UP | LEFT]: '┘',
  [UP | DOWN | RIGHT]: '├', [UP | DOWN | LEFT]: '┤', [DOWN | LEFT | RIGHT]: '┬', [UP | LEFT | RIGHT]: '┴', [UP | DOWN | LEFT | RIGHT]: '┼',
};
const BOXES: Record<string, string> = { stage: '┏━┓┃┗━┛', artifact: '╭─╮│╰─╯', external: '┌╌┐╎└╌┘', library: '┌─┐│└─┘', node: '┌─┐│└─┘' };

export function textPicture(layout: Layout): string {
  const W = Math.ceil(layout.width) + 1;
  const H = Math.ceil(layout.height) + 1;
  const bits = Array.from({ length: H }, () => new Uint8Array(W));
  const chars: string[][] = Array.from({ length: H }, () => Array<string>(W).fill(' '));
  const mark = (x: number, y: number, b: number) => {
    if (y >= 0 && y < H && x >= 0 && x < W) bits[y]![x]! |= b;
  };

  for (const edge of layout.edges) {
    const pts = edge.points.map((p) => ({ x: Math.round(p.x), y: Math.round(p.y) }));
    // The last point touches the target's top border: stop one row above it, for the arrowhead.
    const end = pts.at(-1)!;
    if (pts.length >= 2 && end.y > pts.at(-2)!.y) end.y -= 1;
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1]!;
      const b = pts[i]!;
      if (a.x === b.x) {
        const [y0, y1] = a.y < b.y ? [a.y, b.y] : [b.y, a.y];
        for (let y = y0; y <= y1; y++) mark(a.x, y, (y > y0 ? UP : 0) | (y < y1 ? DOWN : 0));
      } else {
        const [x0, x1] = a.x < b.x ? [a.x, b.x] : [b.x, a.x];
        for (let x = x0; x <= x1; x++) mark(x, a.y, (x > x0 ? LEFT : 0) | (x < x1 ? RIGHT : 0));
      }
    }
    // Connect the first cell up to the source's bottom border.
    mark(pts[0]!.x, pts[0]!.y, UP);
  }
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (bits[y]![x]) chars[y]![x] = LINES[bits[y]![x]!] ?? '┼';
  for (const edge of layout.edges) {
    const end = edge.points.at(-1)!;
    const x = Math.round(end.x);
    const y = Math.round(end.y) - 1;
    if (y >= 0 && y < H && x < W) chars[y]![x] = '▼';
  }

  for (const node of layout.nodes) {
    const x0 = Math.round(node.x);
    const y0 = Math.round(node.y);
    const w = Math.round(node.width);
    const h = Math.round(node.height);
    const [tl, top, tr, side, bl, bottom, br] = [...(BOXES[node.kind ?? 'node'] ?? BOXES.node!)];
    for (let x = x0; x < x0 + w && x < W; x++) {
      chars[y0]![x] = top!;
      chars[y0 + h - 1]![x] = bits[y0 + h]?.[x] ? '┬' : bottom!;
    }
    for (let y = y0; y < y0 + h; y++) {
      chars[y]![x0] = side!;
      chars[y]![x0 + w - 1] = side!;
      for (let x = x0 + 1; x < x0 + w - 1; x++) if (y > y0 && y < y0 + h - 1) chars[y]![x] = ' ';
    }
    chars[y0]![x0] = tl!;
    chars[y0]![x0 + w - 1] = tr!;
    chars[y0 + h - 1]![x0] = bl!;
    chars[y0 + h - 1]![x0 + w - 1] = br!;
    boxLines(node).forEach((line, i) => {
      [...line].forEach((c, j) => {
        const x = x0 + 2 + j;
        if (x < x0 + w - 1) chars[y0 + 1 + i]![x] = c;
      });
    });
  }
  return chars.map((row) => row.join('').trimEnd()).join('\n').replace(/\n+$/, '') + '\n';
}

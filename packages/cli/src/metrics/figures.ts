// A headline figure of a stage (CV accuracy, FID, run time…) and how it is shown and compared.
export type FigureUnit = 'percent' | 'number' | 'count' | 'seconds' | 'text';

export interface Figure {
  stage: string;
  /** What is measured, when a stage measures several things alike: a model ("resnet"), a scorer. */
  subject?: string;
  /** The measure ("CV accuracy"); with the subject, unique within its stage. */
  name: string;
  /** A number (percent as a fraction 0..1), or text for names (the best model). */
  value: number | string;
  /** ± spread shown beside a number (same unit). */
  spread?: number;
  unit: FigureUnit;
  /** Which way is an improvement (diffs mark it). */
  better?: 'higher' | 'lower';
}

export function formatValue(unit: FigureUnit, value: number | string, spread?: number): string {
  if (typeof value === 'string') return value;
  const pm = (s: string) => (spread !== undefined ? `${s} ± ${formatNumber(unit, spread, true)}` : s);
  switch (unit) {
    case 'percent':
      return pm(`${(100 * value).toFixed(1)}%`);
    case 'count':
      return String(Math.round(value));
    case 'seconds':
      return value < 100 ? `${value.toFixed(1)} s` : `${Math.round(value)} s`;
    default:
      return pm(formatNumber(unit, value, false));
  }
}

function formatNumber(unit: FigureUnit, value: number, bare: boolean): string {
  if (unit === 'percent') return (100 * value).toFixed(1);
  if (bare || Math.abs(value) >= 1000) return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(4).replace(/\.?0+$/, (m) => (m.startsWith('.') ? '' : m));
}

export const formatFigure = (f: Figure): string => formatValue(f.unit, f.value, f.spread);

/** "resnet CV accuracy", or the name alone. */
export const figureLabel = (f: Pick<Figure, 'subject' | 'name'>): string => (f.subject ? `${f.subject} ${f.name}` : f.name);

/** "+1.8 pt", "-0.012", "+12 s"; empty when equal; text figures say "changed". */
export function formatChange(unit: FigureUnit, before: number | string | undefined, after: number | string | undefined): string {
  if (before === undefined) return 'new';
  if (after === undefined) return 'gone';
  if (typeof before === 'string' || typeof after === 'string') return before === after ? '' : 'changed';
  const d = after - before;
  if (d === 0) return '';
  const sign = d > 0 ? '+' : '-';
  const a = Math.abs(d);
  switch (unit) {
    case 'percent':
      return `${sign}${(100 * a).toFixed(1)} pt`;
    case 'count':
      return `${sign}${Math.round(a)}`;
    case 'seconds':
      return `${sign}${a < 100 ? a.toFixed(1) : Math.round(a)} s`;
    default:
      return `${sign}${a >= 100 ? a.toFixed(0) : a.toPrecision(3)}`;
  }
}

/** ▲ better, ▼ worse, or nothing (no direction, no change, text). */
export function verdict(f: Pick<Figure, 'better'>, before: number | string | undefined, after: number | string | undefined): string {
  if (typeof before !== 'number' || typeof after !== 'number' || before === after || !f.better) return '';
  return (after > before) === (f.better === 'higher') ? 'better' : 'worse';
}

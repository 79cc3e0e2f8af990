// Rankings from scores: highest score first, ties broken by image index so the order is stable.

export function rankOrder(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/** Average ranks (1 = highest score; tied scores share their mean rank), for Spearman's rho. */
export function averageRanks(scores: ArrayLike<number>): Float64Array {
  const order = rankOrder(scores);
  const ranks = new Float64Array(scores.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const mean = (start + end) / 2 + 1;
    for (let r = start; r <= end; r++) ranks[order[r]!] = mean;
    start = end + 1;
  }
  return ranks;
}

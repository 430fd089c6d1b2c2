// Thins a long series (a multi-day CRPS infusion charts thousands of vitals) for a chart
// without hiding what matters: the first and last points, every point the caller marks to
// keep (out-of-range values, flags), and each bucket's min and max so peaks survive.

/**
 * Returns at most `maxPoints` points of `points` (sorted by t), in time order:
 * first and last, every point where keep(p) is true, then per-bucket min and max of
 * valueOf(p) across the rest of the budget. When the must-keep points alone exceed
 * maxPoints they are thinned evenly (first and last stay).
 */
export function downsampleSeries<T extends { t: number }>(
  points: T[],
  maxPoints: number,
  keep: (p: T) => boolean,
  valueOf: (p: T) => number,
): T[] {
  const budget = Math.floor(maxPoints);
  if (!(budget > 0)) return [];
  const sorted = [...points].sort((a, b) => a.t - b.t);
  if (sorted.length <= budget) return sorted;

  const lastIndex = sorted.length - 1;
  const required = new Set<number>([0, lastIndex]);
  sorted.forEach((p, i) => {
    if (keep(p)) required.add(i);
  });

  if (required.size > budget) return evenly([...required].sort((a, b) => a - b), budget).map((i) => sorted[i] as T);

  const chosen = new Set(required);
  const bucketCount = Math.floor((budget - required.size) / 2);
  if (bucketCount > 0) {
    // Buckets over the interior (indexes 1..lastIndex-1), equal in point count.
    const interior = lastIndex - 1;
    for (let b = 0; b < bucketCount; b += 1) {
      const from = 1 + Math.floor((b * interior) / bucketCount);
      const to = 1 + Math.floor(((b + 1) * interior) / bucketCount); // exclusive
      let minIndex = -1;
      let maxIndex = -1;
      for (let i = from; i < to; i += 1) {
        const value = valueOf(sorted[i] as T);
        if (minIndex === -1 || value < valueOf(sorted[minIndex] as T)) minIndex = i;
        if (maxIndex === -1 || value > valueOf(sorted[maxIndex] as T)) maxIndex = i;
      }
      if (minIndex !== -1) chosen.add(minIndex);
      if (maxIndex !== -1) chosen.add(maxIndex);
    }
  }
  return [...chosen].sort((a, b) => a - b).map((i) => sorted[i] as T);
}

/** `count` items of `items` spread evenly, first and last included. */
function evenly<U>(items: U[], count: number): U[] {
  if (count >= items.length) return items;
  if (count === 1) return items.slice(0, 1);
  const result: U[] = [];
  for (let k = 0; k < count; k += 1) {
    const item = items[Math.round((k * (items.length - 1)) / (count - 1))];
    if (item !== undefined) result.push(item);
  }
  return result;
}

// Seeded random data for the bench generators (benches/*.mjs): the same seed text gives the
// same draws on every machine and Node version.

/** A random number generator in [0, 1): mulberry32 seeded by a hash of `seedText`. */
export function rng(seedText) {
  let h = 1779033703;
  for (const c of seedText) h = Math.imul(h ^ c.charCodeAt(0), 3432918353), h = (h << 13) | (h >>> 19);
  return () => { h |= 0; h = (h + 0x6d2b79f5) | 0; let t = Math.imul(h ^ (h >>> 15), 1 | h); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
/** One element of `list`. */
export const pick = (r, list) => list[Math.floor(r() * list.length)];
/** An integer from `lo` to `hi`, both included. */
export const int = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
/** `x` rounded to cents. */
export const money = (x) => Math.round(x * 100 + Number.EPSILON) / 100;

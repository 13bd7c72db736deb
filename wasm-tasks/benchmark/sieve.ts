/**
 * Segmented sieve of Eratosthenes over odd numbers, in plain integer JavaScript: the
 * reference workload. Its memory stays in one small segment (the L1/L2 cache), so its speed
 * tracks single-core integer speed rather than memory bandwidth or JIT quirks of big arrays.
 */

/** The millionth prime: sieving up to it counts exactly 1,000,000 primes. */
export const MILLIONTH_PRIME = 15_485_863;
const SEGMENT_BYTES = 32 * 1024;

export type SieveResult = { count: number; sum: number; hash: number };

/** Primes <= limit: their count, their exact sum (< 2^53 for this limit) and an FNV-1a hash of their residues. */
export function sieve(limit: number, segmentDone?: (done: number) => void): SieveResult {
  const root = Math.floor(Math.sqrt(limit));
  // Base primes up to sqrt(limit) with a simple sieve.
  const small = new Uint8Array(root + 1);
  const basePrimes: number[] = [];
  for (let i = 3; i <= root; i += 2) {
    if (small[i]) continue;
    basePrimes.push(i);
    for (let j = i * i; j <= root; j += 2 * i) small[j] = 1;
  }
  // next[k]: index (in odd-number units) of the next odd multiple of basePrimes[k] to strike.
  const next = new Int32Array(basePrimes.length);
  for (let k = 0; k < basePrimes.length; k++) next[k] = (basePrimes[k]! * basePrimes[k]! - 1) >> 1;

  let count = limit >= 2 ? 1 : 0; // 2
  let sum = limit >= 2 ? 2 : 0;
  let hash = 0x811c9dc5;
  const segment = new Uint8Array(SEGMENT_BYTES);
  const lastIndex = (limit - 1) >> 1; // odd number 2i+1 <= limit
  for (let low = 1; low <= lastIndex; low += SEGMENT_BYTES) {
    const high = Math.min(low + SEGMENT_BYTES - 1, lastIndex);
    segment.fill(0);
    for (let k = 0; k < basePrimes.length; k++) {
      const p = basePrimes[k]!;
      let j = next[k]!;
      if (j > high) continue;
      for (; j <= high; j += p) segment[j - low] = 1;
      next[k] = j;
    }
    for (let i = 0; i <= high - low; i++) {
      if (segment[i]) continue;
      const prime = 2 * (low + i) + 1;
      count++;
      sum += prime;
      hash = Math.imul(hash ^ (prime & 0xff), 0x01000193);
    }
    segmentDone?.(high / lastIndex);
  }
  return { count, sum, hash: hash >>> 0 };
}

/** A sliding-window rate limiter kept in memory (one per server process). Pure apart from its own state. */
export type RateLimiter = { take(key: string, now?: number): { ok: true } | { ok: false; retryAfterMs: number } };

export function createRateLimiter({ limit, windowMs, maxKeys = 10_000 }: { limit: number; windowMs: number; maxKeys?: number }): RateLimiter {
  const hits = new Map<string, number[]>();
  return {
    take(key, now = Date.now()) {
      const recent = (hits.get(key) ?? []).filter((t) => now - t < windowMs);
      if (recent.length >= limit) {
        hits.set(key, recent);
        return { ok: false, retryAfterMs: windowMs - (now - recent[0]!) };
      }
      recent.push(now);
      hits.delete(key);
      hits.set(key, recent);
      // Forget the oldest keys so a flood of addresses cannot grow memory without bound.
      while (hits.size > maxKeys) hits.delete(hits.keys().next().value!);
      return { ok: true };
    },
  };
}

/** The client IP as the proxy in front reports it, or "direct" for local requests. */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip") || "direct";
}

export const retryWords = (ms: number) => `try again in ${Math.max(1, Math.ceil(ms / 1000))} s`;

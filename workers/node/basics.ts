/** The clock and randomness ports of `npm run worker` (workers/earn/ports.ts): the wall clock and the OS's CSPRNG. */
import { randomBytes, randomInt } from "node:crypto";
import type { ClockPort, RandomPort } from "../earn/ports.ts";

export const systemClock: ClockPort = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason ?? new Error("aborted"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

export const cryptoRandom: RandomPort = {
  bytes: (n) => new Uint8Array(randomBytes(n)),
  below: (n) => (n <= 1 ? 0 : randomInt(n)),
};

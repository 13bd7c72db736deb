/**
 * The test-only cheat switch (issue 10): behaviours the end-to-end tests need from a dishonest party — a worker that
 * corrupts its output, a verifier that lies or copies, a member that never reveals — behind one switch.
 *
 * It cannot be turned on in what users run:
 * - the app reads it only where `process.env.NODE_ENV !== "production"`, a condition Next replaces by `false` in
 *   `next build`, so the bundler drops the code (e2e/stack/prod.spec.ts checks the built chunks hold none of it);
 * - `npm run worker` (scripts/worker.ts) never imports this module; only the test entry
 *   e2e/support/cheating-worker.ts does (scripts/worker-graph.test.ts checks both import graphs).
 *
 * A cheat is a string: `corrupt` (replace this account's computed output with garbage, whatever its role), `silent`
 * (commit, never reveal), optionally limited to a role: `corrupt:worker`, `silent:verifier`.
 */
import type { Cheats, Role } from "./ports.ts";

export const CHEAT_MARKER = "computecredit-test-cheat";

export function cheatsFrom(spec: string | undefined | null): Cheats | undefined {
  if (!spec) return undefined;
  const rules = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [kind, role] = s.split(":") as [string, Role | undefined];
      return { kind, role };
    });
  const applies = (kind: string, role: Role) => rules.some((r) => r.kind === kind && (!r.role || r.role === role));
  return {
    output: (_taskId, role, honest) => (applies("corrupt", role) ? corrupt(honest) : undefined),
    silent: (_taskId, role) => applies("silent", role),
  };
}

/** Different bytes of the same length, the same for every cheater (two colluders agree on the same lie). */
function corrupt(honest: Uint8Array): Uint8Array {
  const out = new TextEncoder().encode(`${CHEAT_MARKER}:${honest.length}`);
  return out;
}

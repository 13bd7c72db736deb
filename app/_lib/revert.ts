/** Moved to lib/client/revert.ts (shared by the app, the earn engine and `npm run worker`). */
export * from "../../lib/client/revert.ts";

/** Moved to lib/client/events.ts (shared by the app, the earn engine and `npm run worker`). */
export * from "../../lib/client/events.ts";

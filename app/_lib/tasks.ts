/** Moved to lib/client/tasks.ts (shared by the app, the earn engine and `npm run worker`). */
export * from "../../lib/client/tasks.ts";

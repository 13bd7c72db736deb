/** Moved to lib/client/deployments.ts (shared by the app, the earn engine and `npm run worker`). */
export * from "../../lib/client/deployments.ts";

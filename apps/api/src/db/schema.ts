// The one schema of the database: Better Auth's generated tables and ours.
export * from "./auth-schema";
export * from "./rate-limit-schema";
export * from "./sync-schema";
export * from "./tasks-schema";

/**
 * How every script and test starts the production server (scripts/serve.ts)
 * as a child process, from the repository's root: the arguments to `node`.
 * tsx runs the TypeScript in that process, so its pid is the server's: its only
 * process, or the primary of several (scripts/serve/processes.ts).
 */
export const BUILD = "build/server/index.js";

export const SERVE_ARGS = ["--import", "tsx", "scripts/serve.ts", BUILD];

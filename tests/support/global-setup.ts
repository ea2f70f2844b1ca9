import { rm } from "node:fs/promises";
import type { TestProject } from "vitest/node";
import { dropServerTemplate, writePgliteTemplate } from "./db.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The migrated PGlite data folder as a tarball on disk (PGlite runs only), read by freshDatabase. */
    pgliteTemplate: string;
  }
}

// A run starts from a template of the migrations as they are now: on the server a template database
// (made by the first file that needs it), on PGlite one dump made here, so no test file pays for
// PGlite's initdb and the migrations again.
export default async function setup(project: TestProject) {
  await dropServerTemplate();
  if (process.env.DATABASE_URL) return;
  const file = await writePgliteTemplate();
  project.provide("pgliteTemplate", file);
  return () => rm(file, { force: true });
}

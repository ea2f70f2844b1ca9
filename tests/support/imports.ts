/** An import as the tests that confirm one start it: the file uploaded and reviewed. */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import { startImport, type ImportResult } from "../../app/users/import-review.server.ts";

/** Uploads and reviews a file: its job and what the review page carries (its counts and key). */
export async function reviewedImport(db: Kysely<Database>, actor: Actor, text: string, now: Date) {
  const started = await startImport(db, actor, new Blob([text]), now);
  if (!started.ok) throw new Error(started.message);
  const job = await db
    .selectFrom("jobs")
    .select("result")
    .where("id", "=", started.jobId)
    .executeTakeFirstOrThrow();
  return { jobId: started.jobId, result: job.result as ImportResult };
}

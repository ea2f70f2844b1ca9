/**
 * Prepares a database to try the app on:
 *   tsx scripts/seed.ts               migrate, then seed the demo companies if there are none
 *   tsx scripts/seed.ts --users N     ...then add N made-up users to Acme
 * It connects where the app does: DATABASE_URL, else PGlite in DATA_DIR.
 */
import { parseArgs } from "node:util";
import { migrateToLatest, openDatabase, optionsFromEnv } from "../db/connect.ts";
import { seedDemoIfEmpty, seedScale } from "../db/seed/index.ts";

const { values } = parseArgs({ options: { users: { type: "string" } } });
const users = values.users === undefined ? 0 : Number(values.users);
if (!Number.isInteger(users) || users < 0) {
  console.error(`--users needs a whole number, not "${values.users}"`);
  process.exit(2);
}

const handle = await openDatabase(optionsFromEnv());
try {
  const migrated = await migrateToLatest(handle.db);
  if (migrated.length > 0) console.log(`Migrated: ${migrated.join(", ")}`);

  const seeded = await seedDemoIfEmpty(handle.db, new Date());
  console.log(
    seeded
      ? "Seeded the demo companies (password: switchboard-demo)."
      : "Companies exist already: demo seed skipped.",
  );

  if (users > 0) {
    const started = performance.now();
    await seedScale(handle.db, users, (done, total) => {
      process.stdout.write(
        `\rAdding users: ${done.toLocaleString("en-US")} / ${total.toLocaleString("en-US")}`,
      );
    });
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write("\n");
    console.log(`Added ${users.toLocaleString("en-US")} users in ${seconds.toFixed(1)} s (${handle.kind}).`);
  }
} finally {
  await handle.close();
}

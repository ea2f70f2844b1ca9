import { sql, type Kysely } from "kysely";

/**
 * Company Settings › Security (app/proxy/security.server.ts), per company:
 * - proxy_reason_required: Proxy Login asks for a reason of 5 to 200 characters;
 * - proxy_notice: the person proxied into gets an email naming who, when and why.
 * Both off by default: a company keeps the behaviour it had until an admin opts in.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
alter table companies
  add column proxy_reason_required boolean not null default false,
  add column proxy_notice boolean not null default false;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
alter table companies drop column proxy_reason_required, drop column proxy_notice;
`.execute(db);
}

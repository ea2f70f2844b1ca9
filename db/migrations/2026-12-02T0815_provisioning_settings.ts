import { sql, type Kysely } from "kysely";

/**
 * Provisioning, second part (app/provisioning, app/scim):
 * - companies.provisioning_office_id and provisioning_license_type: where a
 *   user created over SCIM goes, and with which license, when the request does
 *   not say (Company Settings › Provisioning). Null: the company's first office,
 *   Connect. The office must be one of the company's: the foreign key names
 *   the company too (offices is unique on (id, company_id) for this).
 * - users.deleted_by_token_id: a deletion made by a provisioning token names
 *   the token (deleted_by_user_id is then null): the token acts as itself.
 * - scim_rate_limits: each token's request budget (a token bucket), in the
 *   database so that every app server spends from the same one.
 * - The audit log's filter by token, behind an index like the other filters'
 *   (company first, then the page's sort).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
alter table companies
  add column provisioning_office_id int,
  add column provisioning_license_type text references license_types
    check (provisioning_license_type in ('connect', 'sell', 'support')),
  add constraint companies_provisioning_office_fkey
    foreign key (provisioning_office_id, id) references offices (id, company_id);

alter table users add column deleted_by_token_id int references provisioning_tokens;

create table scim_rate_limits (
  token_id int primary key references provisioning_tokens,
  -- requests the token may still make now (below zero: it is refused until refilled)
  allowance double precision not null,
  checked_at timestamptz not null
);

create index audit_log_company_token_idx on audit_log (company_id, actor_token_id, created_at desc, id desc)
  where actor_token_id is not null;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
drop index audit_log_company_token_idx;
drop table scim_rate_limits;
alter table users drop column deleted_by_token_id;
alter table companies drop constraint companies_provisioning_office_fkey,
  drop column provisioning_license_type, drop column provisioning_office_id;
`.execute(db);
}

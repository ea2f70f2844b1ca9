/**
 * The Database interface Kysely checks every query against. It mirrors
 * db/migrations; the names here are the names in the UI and the domain docs.
 */
import type { ColumnType, Generated, GeneratedAlways, Insertable, Selectable } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json = ColumnType<unknown, string | null, string | null>;

export const PLANS = ["standard", "pro", "enterprise", "essentials", "advanced", "premium"] as const;
export type Plan = (typeof PLANS)[number];

export const USER_STATUSES = ["pending", "active", "suspended", "deleted"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** The Dialpad licenses: one per user. */
export const USER_LICENSE_TYPES = ["connect", "sell", "support"] as const;
export type UserLicenseType = (typeof USER_LICENSE_TYPES)[number];
export const ADDON_LICENSE_TYPES = ["local_number", "toll_free_number", "fax_line"] as const;
export type AddonLicenseType = (typeof ADDON_LICENSE_TYPES)[number];
export const LICENSE_TYPES = [...USER_LICENSE_TYPES, "meetings", ...ADDON_LICENSE_TYPES] as const;
export type LicenseType = (typeof LICENSE_TYPES)[number];
export type LicenseCategory = "dialpad" | "meetings" | "addon";

export type NumberKind = "local" | "toll_free" | "fax";
export type NumberState = "assigned" | "reserved" | "released";
export type GroupKind = "main_line" | "department" | "call_center";
export type CallerId = "primary" | "office" | "blocked";

export interface PriceLevelsTable {
  code: string;
  name: string;
}

export interface LicenseTypesTable {
  code: LicenseType;
  name: string;
  category: LicenseCategory;
  sort_order: number;
}

export interface CompaniesTable {
  id: Generated<number>;
  name: string;
  plan: Plan;
  created_at: CreatedAt;
  /** Company Settings › Security: Proxy Login asks for a reason of 5 to 200 characters. */
  proxy_reason_required: Generated<boolean>;
  /** Company Settings › Security: the person proxied into is told by email. */
  proxy_notice: Generated<boolean>;
  /** Where a user provisioned over SCIM goes when the request names no office; null: the first office. */
  provisioning_office_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** Their license when the request names none; null: Connect. */
  provisioning_license_type: ColumnType<
    UserLicenseType | null,
    UserLicenseType | null | undefined,
    UserLicenseType | null
  >;
}

export interface OfficesTable {
  id: Generated<number>;
  company_id: number;
  name: string;
  country: string;
  timezone: string;
  price_level: string;
  created_at: CreatedAt;
}

export interface UsersTable {
  id: Generated<number>;
  company_id: number;
  office_id: number;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  status: ColumnType<UserStatus, UserStatus | undefined, UserStatus>;
  license_type: UserLicenseType;
  has_meetings_seat: Generated<boolean>;
  extension: string | null;
  job_title: string | null;
  timezone: string | null;
  language: Generated<string>;
  is_company_admin: Generated<boolean>;
  has_proxy_access: Generated<boolean>;
  password_hash: string | null;
  forwarding_number: string | null;
  do_not_disturb: Generated<boolean>;
  voicemail_to_email: Generated<boolean>;
  caller_id: Generated<CallerId>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  first_signed_in_at: Timestamp | null;
  deleted_at: Timestamp | null;
  deleted_by_user_id: number | null;
  /** Set when a provisioning token deleted the user (deleted_by_user_id is then null). */
  deleted_by_token_id: ColumnType<number | null, number | null | undefined, number | null>;
  anonymized_at: Timestamp | null;
  pseudonym: string | null;
  sort_name: GeneratedAlways<string>;
  search_text: GeneratedAlways<string>;
}

export interface OfficeAdminsTable {
  user_id: number;
  office_id: number;
  granted_at: CreatedAt;
}

/** Live (not deleted) users per office, status and license type: kept by triggers, never written by hand. */
export interface UserCountsTable {
  company_id: number;
  office_id: number;
  status: Exclude<UserStatus, "deleted">;
  license_type: UserLicenseType;
  n: ColumnType<number, never, never>;
}

export interface LicensePoolsTable {
  office_id: number;
  license_type: LicenseType;
  purchased: number;
  /** Kept by triggers from users and phone_numbers: never written by hand. */
  assigned: ColumnType<number, never, never>;
}

export interface GroupsTable {
  id: Generated<number>;
  company_id: number;
  office_id: number;
  kind: GroupKind;
  name: string;
  created_at: CreatedAt;
}

export interface GroupMembersTable {
  group_id: number;
  user_id: number;
  added_at: CreatedAt;
}

export interface PhoneNumbersTable {
  id: Generated<number>;
  company_id: number;
  office_id: number;
  e164: string;
  digits: GeneratedAlways<string>;
  country: string;
  kind: NumberKind;
  state: NumberState;
  assigned_user_id: number | null;
  assigned_group_id: number | null;
  is_primary: Generated<boolean>;
  addon_license_type: AddonLicenseType | null;
  last_holder_user_id: number | null;
  last_holder_name: string | null;
  last_office_id: number | null;
  unassigned_at: Timestamp | null;
  held_for_user_id: number | null;
  held_until: Timestamp | null;
  released_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface ProviderNumbersTable {
  e164: string;
  country: string;
  area_code: string;
  kind: NumberKind;
  provisioned_to_company_id: number | null;
  provisioned_at: Timestamp | null;
}

/** The new local number a transfer review shows, held for the user until the admin confirms or leaves. */
export interface ReviewHoldsTable {
  e164: string;
  company_id: number;
  user_id: number;
  office_id: number;
  session_id: string;
  source: "pool" | "provider";
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  created_at: CreatedAt;
  expires_at: Timestamp;
  last_seen_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface ProxySessionsTable {
  id: Generated<number>;
  company_id: number;
  session_id: string | null;
  admin_user_id: number;
  user_id: number;
  reason: string | null;
  ip: string | null;
  started_at: Timestamp;
  expires_at: Timestamp;
  ended_at: Timestamp | null;
  end_reason: string | null;
}

export interface InvitesTable {
  id: Generated<number>;
  user_id: number;
  token_hash: string;
  created_by_user_id: number | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  voided_at: Timestamp | null;
  /** A large import's invite its mail job has not handed to the mailer yet. */
  mail_pending: Generated<boolean>;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  email: string;
  attempted_at: Timestamp;
  succeeded: boolean;
  ip: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  company_id: number;
  office_id: number | null;
  actor_user_id: number | null;
  on_behalf_of_user_id: number | null;
  action: string;
  target_type: string;
  target_id: string | null;
  target_label: string | null;
  before: Json;
  after: Json;
  ip: string | null;
  created_at: Timestamp;
  /** Set when a provisioning token made the change (actor_user_id is then null). */
  actor_token_id: ColumnType<number | null, number | null | undefined, never>;
}

export interface ProvisioningTokensTable {
  id: Generated<number>;
  company_id: number;
  name: string;
  /** SHA-256 of the token, hex: the token itself is shown once and never stored. */
  token_hash: string;
  created_by_user_id: number | null;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

/** What an identity provider calls a user (SCIM userName, externalId). */
export interface ScimIdentitiesTable {
  user_id: number;
  company_id: number;
  user_name: string;
  external_id: string | null;
  updated_at: Timestamp;
}

/** A provisioning token's request budget (app/scim/rate-limit.server.ts). */
export interface ScimRateLimitsTable {
  token_id: number;
  allowance: number;
  checked_at: Timestamp;
}

export const JOB_STATES = ["queued", "running", "done", "failed"] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  company_id: number;
  actor_user_id: number | null;
  state: Generated<JobState>;
  done: Generated<number>;
  total: Generated<number>;
  payload: Json;
  result: Json;
  attempts: Generated<number>;
  error: string | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
}

/** A job's progress within its open batch (app/jobs/runner.server.ts). */
export interface JobProgressTable {
  job_id: number;
  done: number;
  updated_at: Timestamp;
}

/** A VACUUM owed after a company's anonymization (db/migrations/2026-12-05T0700_erasure_vacuum_owed.ts). */
export interface ErasureVacuumOwedTable {
  company_id: number;
  version: Generated<number>;
  since: Timestamp;
}

export type ImportOutcome = "add" | "update" | "unchanged" | "error";

export interface ImportRowsTable {
  job_id: number;
  line: number;
  cells: Json;
  outcome: ImportOutcome | null;
  errors: Json;
  user_id: number | null;
  email_key: string | null;
  office_id: number | null;
  license_type: UserLicenseType | null;
  extension: string | null;
  e164: string | null;
  changes: Json;
}

export interface Database {
  price_levels: PriceLevelsTable;
  license_types: LicenseTypesTable;
  companies: CompaniesTable;
  offices: OfficesTable;
  users: UsersTable;
  office_admins: OfficeAdminsTable;
  license_pools: LicensePoolsTable;
  user_counts: UserCountsTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  phone_numbers: PhoneNumbersTable;
  provider_numbers: ProviderNumbersTable;
  review_holds: ReviewHoldsTable;
  sessions: SessionsTable;
  proxy_sessions: ProxySessionsTable;
  invites: InvitesTable;
  login_attempts: LoginAttemptsTable;
  audit_log: AuditLogTable;
  provisioning_tokens: ProvisioningTokensTable;
  scim_identities: ScimIdentitiesTable;
  scim_rate_limits: ScimRateLimitsTable;
  jobs: JobsTable;
  import_rows: ImportRowsTable;
  job_progress: JobProgressTable;
  erasure_vacuum_owed: ErasureVacuumOwedTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Office = Selectable<OfficesTable>;
export type Company = Selectable<CompaniesTable>;

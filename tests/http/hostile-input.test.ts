/**
 * Hostile input against every form (every action of app/routes), over HTTP
 * against the built server on fresh demo data. Cases come from a table of
 * forms × payload kinds:
 *
 * - each field of a form that is otherwise valid gets, in turn, each payload
 *   its kind must refuse: missing, a wrong type (the field repeated), 10,000
 *   characters, control characters, a bidirectional override (U+202E, which
 *   makes text display as other text); and for fields that are not free text
 *   (ids, choices, emails, review keys) also mixed-script look-alikes, SQL and
 *   HTML fragments, and another company's id;
 * - ids past the database's integer range, in a field ("2147483648",
 *   "user:9999999999", "pool:-1") and in the path, and words every JavaScript
 *   object answers to (`__proto__`, `constructor`, `toString`) in choices;
 * - ids in the path: another company's, SQL, 10,000 digits;
 * - forged POSTs: no token, a wrong token, no token cookie, another Origin;
 * - a body over the server's 1 MB limit (refused with 413 before any parser).
 * Each answer must be a 4xx with a message (or a redirect carrying one, for
 * the forms that answer with a flash), never a 5xx, and the database must be
 * exactly as before.
 *
 * GET pages get the same from a second table, of pages × query parameters:
 * never a 5xx, a search with a control character is a 400 with its message
 * beside the search box, and a prototype word is searched as a name.
 *
 * Free text (names, job title, reason) is where SQL, HTML and mixed scripts
 * are legitimate: "O'Brien", "R&D <EMEA>", "Zoë Аkhmatova". There refusing
 * would be the bug, so the test saves them and checks they are stored
 * verbatim and shown as text.
 *
 * A form whose valid POST is itself the attack (an Office Admin ending a
 * Company Admin's 72 hours) is also sent as is, and must be refused the same way.
 *
 * Replays: the same valid POST twice; the first changes what it should, with
 * an audit entry whenever it changes anything (checked on the server), the
 * second must be a 4xx or a redirect that changes nothing more.
 *
 * The snapshot (tests/support/snapshot.ts) is every table's rows in a stable
 * order, except `sessions` and `login_attempts`, which signing in writes by design.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../support/app-server.ts";
import { changes, snapshot } from "../support/snapshot.ts";
import { HttpClient, type Fields, type PostOptions } from "../support/http-client.ts";
import { DEMO_PASSWORD } from "../../db/seed/demo.ts";
import { lastInviteLinkIn } from "../support/outbox.ts";
import { demoIds, resendInviteThroughApp, signedIn } from "./demo-ids.ts";
import {
  provisioningToken,
  scimRequest,
  SCIM_CORE,
  SCIM_ERROR,
  SCIM_PATCH_OP,
  type ScimAnswer,
} from "../support/scim-client.ts";

const PORT = Number(process.env.E2E_PORT_BASE ?? 3100) + 11;
const MB = 1024 * 1024;

/** What a field holds decides which payloads it must refuse. */
type Kind =
  | "text"
  | "optionalText"
  | "email"
  | "id"
  | "idList"
  | "optionalIdList"
  | "choice"
  | "optionalChoice"
  | "key";

const PAYLOADS = {
  missing: undefined,
  wrongType: ["1", "2"] as string[],
  long: "7".repeat(10_000),
  control: "a\u0000b\u0007c",
  nul: "\u0000",
  bidi: "abc\u202Egnp.exe",
  mixedScripts: "Аdа", // Cyrillic А and а around a Latin d
  sql: "1' OR '1'='1'; DROP TABLE users; --",
  html: '<script>alert(1)</script><img src=x onerror="alert(1)">',
  otherCompany: "(another company's id)",
  // In place of the digits of the valid value: "user:12" becomes "user:2147483648" (see payloadFor).
  pastIntRange: "2147483648",
  huge: "9999999999",
  negative: "-1",
  zero: "0",
  proto: "__proto__",
  constructorWord: "constructor",
  toStringWord: "toString",
} as const;
type Payload = keyof typeof PAYLOADS;

const INTEGER_EDGES = ["pastIntRange", "huge", "negative", "zero"] as const;
const PROTOTYPE_WORDS = ["proto", "constructorWord", "toStringWord"] as const;
const ID_EDGES = [...INTEGER_EDGES, ...PROTOTYPE_WORDS] as const;
const isIntegerEdge = (p: Payload) => (INTEGER_EDGES as readonly Payload[]).includes(p);

/** A payload for a field whose valid value is `valid`: integer edges replace its digits, if it has any. */
function payloadFor(payload: Payload, valid: string | string[] | undefined): string | string[] | undefined {
  const value = PAYLOADS[payload];
  if (!isIntegerEdge(payload) || typeof valid !== "string" || !/[0-9]+$/.test(valid)) return value;
  return valid.replace(/-?[0-9]+$/, value as string);
}

const REFUSED: Record<Kind, Payload[]> = {
  text: ["missing", "wrongType", "long", "control", "nul", "bidi"],
  optionalText: ["wrongType", "long", "control", "nul", "bidi"],
  email: [
    "missing",
    "wrongType",
    "long",
    "control",
    "nul",
    "bidi",
    "mixedScripts",
    "sql",
    "html",
    ...PROTOTYPE_WORDS,
  ],
  id: [
    "missing",
    "wrongType",
    "long",
    "control",
    "nul",
    "bidi",
    "mixedScripts",
    "sql",
    "html",
    "otherCompany",
    ...ID_EDGES,
  ],
  // a repeated field is what a list is
  idList: [
    "missing",
    "long",
    "control",
    "nul",
    "bidi",
    "mixedScripts",
    "sql",
    "html",
    "otherCompany",
    ...ID_EDGES,
  ],
  // ticked checkboxes: none ticked is a valid answer
  optionalIdList: [
    "long",
    "control",
    "nul",
    "bidi",
    "mixedScripts",
    "sql",
    "html",
    "otherCompany",
    ...ID_EDGES,
  ],
  choice: [
    "missing",
    "wrongType",
    "long",
    "control",
    "nul",
    "bidi",
    "mixedScripts",
    "sql",
    "html",
    ...PROTOTYPE_WORDS,
  ],
  // left out, it takes its default
  optionalChoice: [
    "wrongType",
    "long",
    "control",
    "nul",
    "bidi",
    "mixedScripts",
    "sql",
    "html",
    ...PROTOTYPE_WORDS,
  ],
  key: [
    "missing",
    "wrongType",
    "long",
    "control",
    "nul",
    "bidi",
    "mixedScripts",
    "sql",
    "html",
    ...PROTOTYPE_WORDS,
  ],
};

interface Field {
  kind: Kind;
  /** Unset: the value the page's hidden field holds (a review key, a count). */
  value?: string;
  /** The same kind of id, of Globex: for the otherCompany payload. */
  otherCompany?: string;
}

interface Form {
  name: string;
  /** Who submits: an email, or nobody. */
  as: string | null;
  path: string;
  /** The page whose hidden fields (review keys, counts) complete the form. */
  page?: string;
  fields: Record<string, Field>;
  /** The id in the path, for path cases: the valid one and Globex's. */
  pathId?: { value: number; otherCompany: number };
  /** Whether the replay case sends the form's valid POST twice (default: yes). */
  replay?: boolean;
  /** The form answers every refusal with a redirect back and a flash message (a button on the user's page). */
  refusesWithFlash?: true;
  /** Its valid POST is itself the attack (the actor lacks the right): sent as is, it must be refused too. */
  refusedAsIs?: true;
}

let app: AppServer<unknown>;
let forms: Form[];
let pages: QueryPage[];
/** Ids the explicit cases below name. */
let known: { reservedNumber: number; mei: number; sf: number; ny: number };
const clients = new Map<string | null, HttpClient>();

async function clientFor(as: string | null): Promise<HttpClient> {
  if (!clients.has(as)) clients.set(as, as ? await signedIn(app, as) : new HttpClient(app.origin));
  return clients.get(as)!;
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** The hidden fields of the page's POST form (the review it confirms), but not the token. */
async function hiddenFields(client: HttpClient, page: string): Promise<Fields> {
  const res = await client.get(page);
  const html = await res.text();
  if (res.status !== 200) throw new Error(`${page}: ${res.status}`);
  // The page's own form, not the top bar's Sign out (nor the proxy banner's Back).
  const forms = html.match(/<form[^>]*method="post"[\s\S]*?<\/form>/gi) ?? [];
  const form = forms.find((f) => !/action="\/(logout|proxy\/end)"/.test(f)) ?? "";
  const fields: Fields = {};
  for (const input of form.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = input[0].match(/name="([^"]*)"/)?.[1];
    const value = input[0].match(/value="([^"]*)"/)?.[1];
    if (name && name !== "csrf" && value !== undefined) fields[name] = decode(value);
  }
  return fields;
}

async function validBody(form: Form, client: HttpClient): Promise<Fields> {
  const hidden = form.page ? await hiddenFields(client, form.page) : {};
  const own = Object.entries(form.fields).filter(([, f]) => f.value !== undefined);
  return { ...hidden, ...Object.fromEntries(own.map(([k, f]) => [k, f.value!])) };
}

/**
 * What a refusal must look like: a 4xx with words in it (a page with the
 * error beside its field, an error page, or React Router's own plain "Bad
 * Request" for a foreign Origin, which it refuses before the app's
 * middleware), or, for the forms that answer so, a redirect with a flash.
 * Anything else means the submission went through, or broke the server.
 */
async function refusal(form: Form, res: Response): Promise<string | null> {
  const text = await res.text();
  if (form.refusesWithFlash && res.status >= 300 && res.status < 400) {
    return /sb_flash=[^;]+/.test(res.headers.getSetCookie().join("\n"))
      ? null
      : `${res.status} without a message`;
  }
  if (res.status < 400) return `${res.status} ${res.headers.get("location") ?? ""}: accepted`;
  if (res.status >= 500) return `${res.status}`;
  const words = text.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, " ");
  return /[A-Za-z]{3,} [A-Za-z]{3,}/.test(words) ? null : `${res.status} with no message`;
}

beforeAll(async () => {
  const emails = [
    "jasper@acme.test",
    "marcus@acme.test",
    "priya@acme.test",
    "mei@acme.test",
    "ben@acme.test",
    "uma@acme.test",
    "walter@globex.test",
    "sienna@acme.test",
    "daniel@acme.test",
    "hedy@acme.test",
    "noah@acme.test",
    "ruth@acme.test",
    "rosa@acme.test",
    "fatima@acme.test",
    "hannah@acme.test",
    "camille@acme.test",
    "charlotte@acme.test",
    "tyler@acme.test",
  ];
  const server = await startAppServer("http_hostile", PORT, async (db) => {
    const { user, targets } = await demoIds(db, emails);
    const office = async (name: string) =>
      (await db.selectFrom("offices").select("id").where("name", "=", name).executeTakeFirstOrThrow()).id;
    const reserved = await db
      .selectFrom("phone_numbers")
      .select("id")
      .where("state", "=", "reserved")
      .where("held_for_user_id", "is", null)
      .where("office_id", "=", await office("San Francisco"))
      .orderBy("id")
      .select("kind")
      .execute();
    const fax = await db
      .selectFrom("phone_numbers")
      .select("id")
      .where("assigned_user_id", "=", user["noah@acme.test"]!)
      .where("kind", "=", "fax")
      .executeTakeFirstOrThrow();
    // Charlotte starts suspended, for Reactivate user's form (set here: the seat trigger frees her seat).
    await db
      .updateTable("users")
      .set({ status: "suspended" })
      .where("id", "=", user["charlotte@acme.test"]!)
      .execute();
    return {
      user,
      targets,
      sf: await office("San Francisco"),
      ny: await office("New York"),
      springfield: await office("Springfield"),
      toronto: await office("Toronto"),
      reserved: reserved.map((r) => r.id),
      // A local one the reassign and delete forms (reserved[0] and [1]) leave alone: Add User's.
      freeLocal: reserved.slice(2).find((r) => r.kind === "local")!.id,
      fax: fax.id,
    };
  });
  app = server;
  const { user, targets, ...ids } = server.prepared;
  await resendInviteThroughApp(await clientFor("ada@acme.test"), user["jasper@acme.test"]!);
  const token = lastInviteLinkIn(app.dataDir, "jasper@acme.test").replace("/invite/", "");
  const walter = String(user["walter@globex.test"]);
  const u = (email: string) => user[email]!;
  // A review for Confirm import: one update, of a user no other form touches.
  const uploaded = await (
    await clientFor("ada@acme.test")
  ).upload("/users/import", {
    field: "file",
    name: "people.csv",
    content: "Email,Job title\nethan@acme.test,Night Shift Lead\n",
  });
  const importReview = uploaded.headers.get("location")!;
  forms = [
    {
      name: "sign in",
      as: null,
      path: "/login",
      fields: {
        email: { kind: "email", value: "nobody@acme.test" },
        password: { kind: "text", value: "switchboard-demo" },
      },
      replay: false, // no such person: every sign-in here is refused, and would only write volatile rows
    },
    {
      name: "accept an invite",
      as: null,
      path: `/invite/${token}`,
      fields: {
        password: { kind: "text", value: "a long new password" },
        confirm: { kind: "text", value: "a long new password" },
      },
    },
    {
      name: "account settings",
      as: "uma@acme.test",
      path: "/settings",
      fields: {
        firstName: { kind: "text", value: "Uma" },
        lastName: { kind: "text", value: "Patel" },
        jobTitle: { kind: "optionalText", value: "Account Executive" },
        timezone: { kind: "choice", value: "America/Los_Angeles" },
        language: { kind: "choice", value: "en" },
        forwardingNumber: { kind: "optionalText", value: "" },
      },
    },
    {
      // A file field sent as text (a form that is not multipart): never a file, always refused beside the
      // field. Hostile files themselves are the "Import users" cases below.
      name: "Import users, the file as text",
      as: "ada@acme.test",
      path: "/users/import",
      replay: false,
      fields: { file: { kind: "text", value: "Email\nnew.person@acme.test" } },
    },
    {
      name: "Confirm import",
      as: "ada@acme.test",
      path: importReview,
      page: importReview,
      fields: { seen: { kind: "key" } },
    },
    {
      name: "Add User",
      as: "ada@acme.test",
      path: "/users/new",
      fields: {
        officeId: { kind: "id", value: String(ids.sf), otherCompany: String(ids.springfield) },
        firstName: { kind: "text", value: "Nora" },
        lastName: { kind: "text", value: "Vance" },
        email: { kind: "email", value: "nora@acme.test" },
        licenseType: { kind: "choice", value: "connect" },
        number: { kind: "key", value: "none" },
      },
    },
    {
      name: "Add User, with a number from the Reserved Pool",
      as: "ada@acme.test",
      path: "/users/new",
      fields: {
        officeId: { kind: "id", value: String(ids.sf), otherCompany: String(ids.springfield) },
        firstName: { kind: "text", value: "Orla" },
        lastName: { kind: "text", value: "Quinn" },
        email: { kind: "email", value: "orla@acme.test" },
        licenseType: { kind: "choice", value: "connect" },
        number: {
          kind: "id",
          value: `pool:${ids.freeLocal}`,
          otherCompany: `pool:${targets.globex.mainLineNumber}`,
        },
      },
    },
    {
      name: "bulk action",
      as: "ada@acme.test",
      path: "/users/bulk",
      fields: {
        action: { kind: "choice", value: "delete" },
        id: { kind: "idList", value: String(u("priya@acme.test")), otherCompany: walter },
        license: { kind: "choice", value: "keep" },
      },
    },
    {
      // Acme's 7 pending users, whom admin access skips: more than the test servers' 5, so a job.
      name: "confirm a bulk action on all that match the search",
      as: "ada@acme.test",
      path: "/users/bulk?action=add_admin&scope=search&status=pending",
      page: "/users/bulk?action=add_admin&scope=search&status=pending",
      fields: {
        action: { kind: "choice", value: "add_admin" },
        scope: { kind: "choice", value: "search" },
        count: { kind: "key" },
      },
      // Confirmed again once its job has finished (the test servers run jobs at once), the count still
      // holds: a job of its own goes through them again, skipping each. While the first is still to run,
      // a second confirmation joins it (tests/domain/bulk-job.test.ts).
      replay: false,
    },
    {
      name: "reassign a reserved number",
      as: "ada@acme.test",
      path: `/users/reserved-numbers/${ids.reserved[0]}/reassign`,
      pathId: { value: ids.reserved[0]!, otherCompany: targets.globex.mainLineNumber },
      fields: {
        target: { kind: "id", value: `user:${u("mei@acme.test")}`, otherCompany: `user:${walter}` },
        as: { kind: "optionalChoice", value: "additional" },
      },
    },
    {
      name: "delete a reserved number",
      as: "ada@acme.test",
      path: `/users/reserved-numbers/${ids.reserved[1]}/delete`,
      pathId: { value: ids.reserved[1]!, otherCompany: targets.globex.mainLineNumber },
      fields: {},
    },
    {
      name: "remove a number from a user",
      as: "ada@acme.test",
      path: `/users/${u("noah@acme.test")}/numbers/${ids.fax}/remove`,
      pathId: { value: u("noah@acme.test"), otherCompany: Number(walter) },
      fields: {},
    },
    {
      name: "delete a user",
      as: "ada@acme.test",
      path: `/users/${u("ben@acme.test")}/delete`,
      pathId: { value: u("ben@acme.test"), otherCompany: Number(walter) },
      fields: { license: { kind: "choice", value: "keep" } },
    },
    {
      name: "resend an invite",
      as: "ada@acme.test",
      path: `/users/${u("marcus@acme.test")}/resend-invite`,
      pathId: { value: u("marcus@acme.test"), otherCompany: Number(walter) },
      fields: {},
      replay: false, // Marcus has signed in: nothing to resend
      refusesWithFlash: true,
    },
    {
      name: "resend a pending user's invite",
      as: "ada@acme.test",
      path: `/users/${u("rosa@acme.test")}/resend-invite`,
      pathId: { value: u("rosa@acme.test"), otherCompany: Number(walter) },
      // The demo's pending users have no invite yet: the page names none.
      fields: { invite: { kind: "key", value: "none" } },
      refusesWithFlash: true,
    },
    {
      name: "edit a user",
      as: "ada@acme.test",
      path: `/users/${u("hannah@acme.test")}/edit`,
      pathId: { value: u("hannah@acme.test"), otherCompany: Number(walter) },
      fields: {
        firstName: { kind: "text", value: "Hannah" },
        lastName: { kind: "text", value: "Schmidt-Ortiz" },
        email: { kind: "email", value: "hannah.schmidt@acme.test" },
        // digits or nothing: left out, there is none
        extension: { kind: "optionalChoice", value: "7001" },
        jobTitle: { kind: "optionalText", value: "Senior Account Executive" },
      },
    },
    {
      name: "suspend a user",
      as: "ada@acme.test",
      path: `/users/${u("camille@acme.test")}/suspend`,
      pathId: { value: u("camille@acme.test"), otherCompany: Number(walter) },
      // The status the confirmation page showed.
      fields: { status: { kind: "choice", value: "active" } },
    },
    {
      name: "reactivate a user",
      as: "ada@acme.test",
      path: `/users/${u("charlotte@acme.test")}/reactivate`,
      pathId: { value: u("charlotte@acme.test"), otherCompany: Number(walter) },
      fields: {},
    },
    {
      name: "admin access",
      as: "ada@acme.test",
      path: `/users/${u("tyler@acme.test")}/access`,
      pathId: { value: u("tyler@acme.test"), otherCompany: Number(walter) },
      fields: {
        companyAdmin: { kind: "choice", value: "no" },
        office: { kind: "optionalIdList", value: String(ids.sf), otherCompany: String(ids.springfield) },
      },
    },
    {
      name: "restore a deleted user",
      as: "ada@acme.test",
      path: `/users/deleted/${u("sienna@acme.test")}/restore`,
      pathId: { value: u("sienna@acme.test"), otherCompany: Number(walter) },
      fields: {},
    },
    {
      name: "permanently delete a user",
      as: "ada@acme.test",
      path: `/users/deleted/${u("daniel@acme.test")}/purge`,
      pathId: { value: u("daniel@acme.test"), otherCompany: Number(walter) },
      fields: {},
    },
    // Hedy Lamarr (demo data), a deleted Company Admin of San Francisco: Oscar administers her office,
    // but restoring her or ending her 72 hours is for Company Admins.
    {
      name: "restore a deleted Company Admin, as an Office Admin",
      as: "oscar@acme.test",
      path: `/users/deleted/${u("hedy@acme.test")}/restore`,
      pathId: { value: u("hedy@acme.test"), otherCompany: Number(walter) },
      fields: {},
      replay: false,
      refusedAsIs: true,
    },
    {
      name: "permanently delete a deleted Company Admin, as an Office Admin",
      as: "oscar@acme.test",
      path: `/users/deleted/${u("hedy@acme.test")}/purge`,
      pathId: { value: u("hedy@acme.test"), otherCompany: Number(walter) },
      fields: {},
      replay: false,
      refusedAsIs: true,
    },
    {
      name: "change license type",
      as: "ada@acme.test",
      path: `/users/${u("marcus@acme.test")}/license`,
      page: `/users/${u("marcus@acme.test")}/license?step=confirm&to=sell`,
      pathId: { value: u("marcus@acme.test"), otherCompany: Number(walter) },
      fields: { to: { kind: "choice", value: "sell" }, seen: { kind: "key" } },
    },
    {
      name: "transfer a user",
      as: "ada@acme.test",
      path: `/users/${u("mei@acme.test")}/transfer`,
      page: `/users/${u("mei@acme.test")}/transfer?step=review&office=${ids.ny}`,
      pathId: { value: u("mei@acme.test"), otherCompany: Number(walter) },
      fields: {
        office: { kind: "id", value: String(ids.ny), otherCompany: String(ids.springfield) },
        seen: { kind: "key" },
      },
    },
    {
      name: "transfer a user: Next, which holds a new number in Toronto",
      as: "ada@acme.test",
      path: `/users/${u("fatima@acme.test")}/transfer`,
      pathId: { value: u("fatima@acme.test"), otherCompany: Number(walter) },
      fields: {
        intent: { kind: "choice", value: "next" },
        office: { kind: "id", value: String(ids.toronto), otherCompany: String(ids.springfield) },
      },
      // Next again renews the hold it took (a new expiry): that is what it is for.
      replay: false,
    },
    {
      name: "Transfer users",
      as: "ada@acme.test",
      path: "/users/bulk",
      page: `/users/bulk?action=transfer&id=${u("ruth@acme.test")}&to=${ids.sf}&step=review`,
      fields: {
        action: { kind: "choice", value: "transfer" },
        to: { kind: "id", value: String(ids.sf), otherCompany: String(ids.springfield) },
        id: { kind: "idList", value: String(u("ruth@acme.test")), otherCompany: walter },
        seen: { kind: "key" },
      },
    },
    {
      name: "Transfer users: Next, which holds a new number in Toronto",
      as: "ada@acme.test",
      path: `/users/bulk?action=transfer&id=${u("ruth@acme.test")}`,
      fields: {
        intent: { kind: "choice", value: "next" },
        to: { kind: "id", value: String(ids.toronto), otherCompany: String(ids.springfield) },
      },
      // Next again renews the holds it took (a new expiry): that is what it is for.
      replay: false,
    },
    {
      name: "transfer licenses",
      as: "ada@acme.test",
      path: "/company/licenses/transfer",
      page: `/company/licenses/transfer?step=review&category=dialpad&from=${ids.sf}&to=${ids.ny}&type=connect&quantity=1`,
      fields: {
        from: { kind: "id", value: String(ids.sf), otherCompany: String(ids.springfield) },
        to: { kind: "id", value: String(ids.ny), otherCompany: String(ids.springfield) },
        type: { kind: "choice", value: "connect" },
        quantity: { kind: "id", value: "1" },
        seen: { kind: "key" },
      },
    },
    {
      name: "proxy access",
      as: "ada@acme.test",
      path: `/users/${u("marcus@acme.test")}/proxy-access`,
      pathId: { value: u("marcus@acme.test"), otherCompany: Number(walter) },
      fields: { access: { kind: "choice", value: "grant" } },
      refusesWithFlash: true,
    },
    {
      name: "create a provisioning token",
      as: "gina@globex.test",
      path: "/company/provisioning",
      fields: {
        name: { kind: "text", value: "Okta" },
        expiresOn: { kind: "optionalText", value: "2099-12-31" },
      },
      replay: false, // a second Create makes a second token: that is what it is for
    },
    {
      name: "Company Settings › Security",
      as: "gina@globex.test",
      path: "/company/security",
      // a checkbox sends "on" or nothing (off)
      fields: {
        reasonRequired: { kind: "optionalChoice", value: "on" },
        notice: { kind: "optionalChoice", value: "on" },
      },
    },
    {
      name: "the defaults for provisioned users",
      as: "gina@globex.test",
      path: "/company/provisioning",
      fields: {
        intent: { kind: "choice", value: "defaults" },
        officeId: { kind: "id", value: String(ids.springfield), otherCompany: String(ids.sf) },
        licenseType: { kind: "choice", value: "sell" },
      },
    },
    {
      name: "Proxy Login",
      as: "ada@acme.test",
      path: `/users/${u("marcus@acme.test")}/proxy`,
      pathId: { value: u("marcus@acme.test"), otherCompany: Number(walter) },
      fields: { reason: { kind: "optionalText", value: "Checking voicemail settings" } },
      // Last of Ada's forms: one that got through would leave her proxying.
      replay: false, // a replay would find Ada proxying: covered by the proxy tests
    },
    { name: "Back from proxy login", as: "ada@acme.test", path: "/proxy/end", fields: {}, replay: false },
    { name: "sign out", as: "uma@acme.test", path: "/logout", fields: {}, replay: false },
  ];
  known = { reservedNumber: ids.reserved[0]!, mei: u("mei@acme.test"), sf: ids.sf, ny: ids.ny };
  const listParams = {
    q: { kind: "search", value: "mei" },
    license: { kind: "other", value: "connect" },
    permission: { kind: "other", value: "admin" },
    status: { kind: "other", value: "active" },
    office: { kind: "other", value: String(ids.sf) },
    sort: { kind: "other", value: "email" },
    dir: { kind: "other", value: "desc" },
    // Keyset pages: a made-up cursor (SQL, 10,000 characters, NUL, ids past the range) shows the first page.
    cursor: { kind: "other", value: "last" },
  } satisfies QueryPage["params"];
  pages = [
    { name: "Active or Pending Users", path: "/users", params: listParams },
    { name: "Export CSV", path: "/users/export", params: listParams },
    {
      name: "bulk action on all that match the search",
      path: "/users/bulk?action=add_admin&scope=search",
      params: listParams,
    },
    {
      name: "Reserved Numbers",
      path: "/users/reserved-numbers",
      params: {
        q: { kind: "search", value: "415" },
        office: { kind: "other", value: String(ids.sf) },
        kind: { kind: "other", value: "local" },
        state: { kind: "other", value: "reserved" },
        dir: { kind: "other", value: "asc" },
        cursor: { kind: "other", value: "last" },
      },
    },
    {
      name: "Reassign's Find a user",
      path: `/users/reserved-numbers/${ids.reserved[0]}/reassign`,
      params: { q: { kind: "search", value: "mei" } },
    },
    {
      name: "Audit log",
      path: "/audit",
      params: {
        who: { kind: "search", value: "ada" },
        token: { kind: "other", value: "1" },
        target: { kind: "search", value: "mei" },
        action: { kind: "other", value: "user.deleted" },
        from: { kind: "other", value: "2026-11-01" },
        to: { kind: "other", value: "2026-12-31" },
        before: { kind: "other", value: "1000" },
      },
    },
    {
      name: "Transfer Licenses, the review",
      path: "/company/licenses/transfer",
      params: {
        step: { kind: "other", value: "review" },
        category: { kind: "other", value: "dialpad" },
        from: { kind: "other", value: String(ids.sf) },
        to: { kind: "other", value: String(ids.ny) },
        type: { kind: "other", value: "connect" },
        quantity: { kind: "other", value: "1" },
      },
    },
    { name: "Add User", path: "/users/new", params: { office: { kind: "other", value: String(ids.sf) } } },
    {
      name: "Transfer user, the review",
      path: `/users/${u("mei@acme.test")}/transfer?step=review`,
      params: { office: { kind: "other", value: String(ids.ny) } },
    },
    {
      name: "Transfer users, the new office",
      path: `/users/bulk?action=transfer&id=${u("ruth@acme.test")}`,
      params: { to: { kind: "other", value: String(ids.sf) }, step: { kind: "other", value: "review" } },
    },
    {
      name: "Change license type, the confirmation",
      path: `/users/${u("marcus@acme.test")}/license?step=confirm`,
      params: { to: { kind: "other", value: "sell" } },
    },
    {
      name: "Deleted Users",
      path: "/users/deleted",
      // A held number's link (?user=) and keyset pages (?cursor=): made up, the first page.
      params: {
        user: { kind: "other", value: String(u("sienna@acme.test")) },
        cursor: { kind: "other", value: "last" },
      },
    },
  ];
}, 240_000);

afterAll(async () => {
  await app?.stop();
});

/**
 * A GET page and its query parameters. A "search" is what a person types
 * (a search box): text it cannot be is a 400 with its message, the page
 * still shown. Any other parameter is one the page itself writes (a filter's
 * choice, an id, a step): a made-up value may fall back to its default or be
 * a 400, never a 5xx. Pages are read as Ada, a Company Admin on Advanced.
 */
interface QueryPage {
  name: string;
  path: string;
  params: Record<string, { kind: "search" | "other"; value: string }>;
}

const QUERY_PAYLOADS: Record<QueryPage["params"][string]["kind"], Payload[]> = {
  search: ["wrongType", "long", "control", "nul", "bidi", "mixedScripts", "sql", "html", ...PROTOTYPE_WORDS],
  other: ["wrongType", "long", "nul", "sql", ...ID_EDGES],
};
/** What a search box must refuse, with its message. */
const SEARCH_REFUSED: Payload[] = ["long", "control", "nul", "bidi"];

function queryUrl(path: string, params: Record<string, string | string[]>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) search.append(k, one);
  return `${path}${path.includes("?") ? "&" : "?"}${search}`;
}

/** What is wrong with a page's answer to a hostile query, or null. */
async function queryProblem(res: Response, mustRefuse: boolean): Promise<string | null> {
  const body = await res.text();
  if (res.status >= 500) return `${res.status}`;
  if (/\n\s+at \S+ \(/.test(body)) return `${res.status} with a stack trace`;
  if (!mustRefuse) return null;
  if (res.status !== 400) return `${res.status}, not 400`;
  return /control and text-direction characters|under 200 characters/.test(body)
    ? null
    : "400 without its message";
}

interface Case {
  form: Form;
  what: string;
  path: string;
  fields: (valid: Fields) => Fields;
  options?: PostOptions;
}

function hostileCases(): Case[] {
  const cases: Case[] = [];
  for (const form of forms) {
    for (const [name, field] of Object.entries(form.fields)) {
      for (const payload of REFUSED[field.kind]) {
        if (payload === "otherCompany" && !field.otherCompany) continue;
        cases.push({
          form,
          what: `${name}: ${payload}`,
          path: form.path,
          fields: (valid) => {
            const { [name]: _, ...rest } = valid;
            if (payload === "missing") return rest;
            const value = payload === "otherCompany" ? field.otherCompany! : payloadFor(payload, valid[name]);
            return { ...rest, [name]: value! };
          },
        });
      }
    }
    if (form.pathId) {
      for (const [what, id] of [
        ["otherCompany", String(form.pathId.otherCompany)],
        ["sql", "1 OR 1=1"],
        ["long", "9".repeat(10_000)],
        ...INTEGER_EDGES.map((p) => [p, PAYLOADS[p]] as const),
        ["exponent", "1e3"],
      ] as const) {
        cases.push({
          form,
          what: `path id: ${what}`,
          path: form.path.replace(String(form.pathId.value), encodeURIComponent(id)),
          fields: (v) => v,
        });
      }
    }
    if (form.refusedAsIs) cases.push({ form, what: "as is", path: form.path, fields: (v) => v });
    for (const forge of ["no-token", "wrong-token", "no-cookie", "foreign-origin"] as const) {
      cases.push({ form, what: `forged: ${forge}`, path: form.path, fields: (v) => v, options: { forge } });
    }
    // A valid form with one more field that takes it past the limit.
    cases.push({
      form,
      what: "body over 1 MB",
      path: form.path,
      fields: (v) => ({ ...v, pad: "x".repeat(MB) }),
    });
  }
  return cases;
}

describe("hostile input", () => {
  it("is refused with a message by every form, and changes nothing", async () => {
    const before = await snapshot(app);
    const wrong: string[] = [];
    // Nothing changes meanwhile (that is the point), so each review page is read once.
    const valid = new Map<Form, Fields>();
    for (const c of hostileCases()) {
      const client = await clientFor(c.form.as);
      if (!valid.has(c.form)) valid.set(c.form, await validBody(c.form, client));
      const body = c.fields(valid.get(c.form)!);
      const res = await client.post(c.path, body, c.options);
      const problem = await refusal(c.form, res);
      if (problem) wrong.push(`${c.form.name} (${c.what}): ${problem}`);
    }
    expect({ wrong, changes: changes(before, await snapshot(app)) }).toEqual({ wrong: [], changes: {} });
  }, 600_000);

  it("answers every GET page's hostile query parameters without a 5xx, and changes nothing", async () => {
    const before = await snapshot(app);
    const ada = await clientFor("ada@acme.test");
    const wrong: string[] = [];
    for (const page of pages) {
      const valid = Object.fromEntries(Object.entries(page.params).map(([k, p]) => [k, p.value]));
      for (const [name, param] of Object.entries(page.params)) {
        for (const payload of QUERY_PAYLOADS[param.kind]) {
          const res = await ada.get(
            queryUrl(page.path, { ...valid, [name]: payloadFor(payload, param.value)! }),
          );
          const problem = await queryProblem(
            res,
            param.kind === "search" && SEARCH_REFUSED.includes(payload),
          );
          if (problem) wrong.push(`${page.name} (${name}: ${payload}): ${problem}`);
        }
      }
    }
    expect({ wrong, changes: changes(before, await snapshot(app)) }).toEqual({ wrong: [], changes: {} });
  }, 600_000);

  // The URLs of issue 13's review, one by one: what a person sees.
  describe("the review's findings", () => {
    const text = async (res: Response) =>
      (await res.text()).replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, " ");
    const NUL_REFUSED = "Remove the control and text-direction characters from the search.";
    const fieldError = (html: string) =>
      html.match(/<p id="q-error" class="field-error"[^>]*>([^<]*)<\/p>/)?.[1];

    it("a NUL in a search is a 400 with the message beside the search box, and the page still shown", async () => {
      const ada = await clientFor("ada@acme.test");
      for (const path of [
        "/users?q=%00",
        "/users?q=mei%00",
        "/users/reserved-numbers?q=%00",
        `/users/reserved-numbers/${known.reservedNumber}/reassign?q=%00`,
      ]) {
        const res = await ada.get(path);
        const html = await res.text();
        expect.soft({ path, status: res.status, error: fieldError(html) }).toEqual({
          path,
          status: 400,
          error: NUL_REFUSED,
        });
        // The search box is tied to its message, and the rest of the page is there.
        expect.soft(html, path).toMatch(/<input[^>]*aria-describedby="[^"]*q-error"[^>]*aria-invalid="true"/);
        expect.soft(html, path).toMatch(/<table|Assign to/);
      }
    });

    it("a NUL in the search of a bulk action on all that match, or of the export, is a 400 with its message", async () => {
      const ada = await clientFor("ada@acme.test");
      const bulk = await ada.get("/users/bulk?action=delete&scope=search&q=%00");
      expect(bulk.status).toBe(400);
      expect(await text(bulk)).toContain(NUL_REFUSED);
      const csv = await ada.get("/users/export?q=%00");
      expect(csv.status).toBe(400);
      expect(csv.headers.get("content-type")).not.toMatch(/text\/csv/);
      expect(await text(csv)).toContain(NUL_REFUSED);
    });

    it("a prototype word is searched as a name: it lists nobody, and a bulk action on all that match selects nobody", async () => {
      const ada = await clientFor("ada@acme.test");
      for (const word of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
        expect.soft(await text(await ada.get(`/users?q=${word}`)), word).toContain("No users match.");
        const bulk = await ada.get(`/users/bulk?action=delete&scope=search&q=${word}`);
        expect.soft(await text(bulk), word).toContain("Select at least one user, then choose Apply.");
      }
      // The words the search does know still mean what they say.
      expect(await text(await ada.get("/users?q=company%20admin"))).toMatch(/Showing 1–\d+ of \d+ user/);
    });

    it("ids past the integer range are 404 in the path and 400 beside their field", async () => {
      const ada = await clientFor("ada@acme.test");
      for (const path of ["/users/2147483648", "/users/9999999999/license", "/users/-1", "/users/1e3"]) {
        const res = await ada.get(path);
        expect.soft({ path, status: res.status }).toEqual({ path, status: 404 });
        expect.soft(await text(res), path).toContain("does not exist, or you do not have access to it");
      }
      const reassign = `/users/reserved-numbers/${known.reservedNumber}/reassign`;
      for (const target of ["user:2147483648", "group:9999999999", `user:${known.mei}0000000000`]) {
        const res = await ada.post(reassign, { target, as: "primary" });
        expect.soft({ target, status: res.status }).toEqual({ target, status: 400 });
        expect.soft(await text(res), target).toContain("Choose who gets this number.");
      }
      // From the form's own URL: the page for that office, which shows the number's field.
      const added = await ada.post(`/users/new?office=${known.sf}`, {
        officeId: String(known.sf),
        firstName: "Nils",
        lastName: "Berg",
        email: "nils@acme.test",
        licenseType: "connect",
        number: "pool:9999999999",
      });
      expect(added.status).toBe(400);
      expect(await text(added)).toContain("Choose a number from the list, or no number.");
      // A made-up office in Add User's URL: the form, without number choices.
      expect((await ada.get("/users/new?office=9999999999")).status).toBe(200);
    });

    it("a prototype word as a license type is refused as any unknown type", async () => {
      const ada = await clientFor("ada@acme.test");
      const review = { category: "dialpad", from: String(known.sf), to: String(known.ny), quantity: "1" };
      for (const type of ["__proto__", "constructor", "toString"]) {
        const page = await ada.get(
          `/company/licenses/transfer?${new URLSearchParams({ step: "review", ...review, type })}`,
        );
        expect.soft({ type, status: page.status }).toEqual({ type, status: 400 });
        expect.soft(await text(page), type).toContain("Choose the type of license to transfer.");
        const res = await ada.post("/company/licenses/transfer", {
          ...review,
          type,
          seen: "k",
        });
        expect.soft({ type, status: res.status }).toEqual({ type, status: 400 });
        expect.soft(await text(res), type).toContain("This review is incomplete.");
      }
    });
  });

  it("redirects built from a path id carry it encoded: a control or non-Latin-1 character is no 500", async () => {
    // Found by tests/http/fuzz.test.ts: GET /users/%00/resend-invite put the raw id into Location.
    const ada = await clientFor("ada@acme.test");
    for (const id of ["%00", "a%0D%0ASet-Cookie:%20x=1", "%E2%81%A6", "%E2%80%AE1"]) {
      for (const page of ["resend-invite", "proxy-access"]) {
        const res = await ada.get(`/users/${id}/${page}`);
        await res.body?.cancel();
        expect.soft({ id, page, status: res.status, location: res.headers.get("location") }).toEqual({
          id,
          page,
          status: 302,
          location: `/users/${encodeURIComponent(decodeURIComponent(id))}`,
        });
      }
    }
  });

  it("keeps SQL, HTML and mixed scripts in free text as typed, and shows them as text", async () => {
    const uma = await clientFor("uma@acme.test");
    const res = await uma.post("/settings", {
      firstName: PAYLOADS.html,
      lastName: `${PAYLOADS.mixedScripts} O'Brien`,
      jobTitle: PAYLOADS.sql,
      timezone: "America/Los_Angeles",
      language: "en",
    });
    expect(res.status).toBe(302);
    const page = await (await uma.get("/settings")).text();
    const shown = (name: string) =>
      decode(page.match(new RegExp(`<input[^>]*name="${name}"[^>]*>`))![0].match(/value="([^"]*)"/)![1]!);
    expect([shown("firstName"), shown("lastName"), shown("jobTitle")]).toEqual([
      PAYLOADS.html,
      `${PAYLOADS.mixedScripts} O'Brien`,
      PAYLOADS.sql,
    ]);
    expect(page).not.toContain("<script>alert(1)</script>");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("writes an audit entry with each change a valid POST makes, and changes nothing more when it is sent twice", async () => {
    const replayed = forms.filter((f) => f.replay !== false);
    // On the server, each first POST is also checked for its audit entry: a snapshot after each (on PGlite,
    // each would stop the server).
    const checkAudit = !!process.env.DATABASE_URL;
    let seen = checkAudit ? await snapshot(app) : null;
    const unaudited: string[] = [];
    // Every form's valid POST, first as a person sends it…
    const bodies = new Map<Form, Fields>();
    for (const form of replayed) {
      const client = await clientFor(form.as);
      bodies.set(form, await validBody(form, client));
      const res = await client.post(form.path, bodies.get(form)!);
      expect.soft(res.status, `${form.name}: the first POST`).toBeLessThan(400);
      await res.body?.cancel();
      if (seen) {
        const now = await snapshot(app);
        const changed = changes(seen, now);
        const tables = Object.keys(changed).filter((t) => t !== "audit_log");
        if (tables.length > 0 && !changed["audit_log"]?.new.length)
          unaudited.push(`${form.name} changed ${tables.join(", ")} and wrote no audit entry`);
        seen = now;
      }
    }
    expect(unaudited).toEqual([]);
    const once = await snapshot(app);
    // …then again: the same bytes, as a double click or a replay sends them.
    const wrong: string[] = [];
    for (const form of replayed) {
      const res = await (await clientFor(form.as)).post(form.path, bodies.get(form)!);
      // A redirect is fine here if it changed nothing (saving the same settings again): the snapshot decides.
      const problem = res.status >= 300 && res.status < 400 ? null : await refusal(form, res);
      if (problem) wrong.push(`${form.name}: ${problem}`);
    }
    expect({ wrong, changes: changes(once, await snapshot(app)) }).toEqual({ wrong: [], changes: {} });
  }, 300_000);
});

describe("Import users, hostile files", () => {
  const HEADER = "First name,Last name,Email,Office";
  const FILES: [string, string | Uint8Array<ArrayBuffer>][] = [
    ["an empty file", ""],
    ["a binary file", new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
    ["no Email column", "First name,Last name\nAnn,Lee\n"],
    ["a header alone", `${HEADER}\n`],
    ["an unclosed quote", `${HEADER}\nAnn,"Lee,ann@acme.test,Austin\n`],
    ["a 10 MB cell", `${HEADER}\nAnn,${"x".repeat(10 * MB)},ann@acme.test,Austin\n`],
    ["a row with too many fields", `${HEADER}\nAnn,Lee,ann@acme.test,Austin,extra,more\n`],
    ["a formula in a name", `${HEADER}\n"=HYPERLINK(""http://evil.example"")",Lee,ann@acme.test,Austin\n`],
    ["control characters in a name", `${HEADER}\nA\u0007nn,Lee,ann@acme.test,Austin\n`],
    ["a text-direction override in a name", `${HEADER}\nabc\u202Egnp.exe,Lee,ann@acme.test,Austin\n`],
    ["SQL in an email", `${HEADER}\nAnn,Lee,"x' OR '1'='1",Austin\n`],
    ["a prototype word as office and license", "Email,Office,License\nann@acme.test,__proto__,constructor\n"],
  ];
  /** The import's own tables hold what was uploaded, by design: everything else must stay as it was. */
  const outsideImports = (c: ReturnType<typeof changes>) =>
    Object.fromEntries(Object.entries(c).filter(([t]) => t !== "jobs" && t !== "import_rows"));

  it("each is a message for the whole file (400) or a review naming the row's error, never a 5xx; no user changes", async () => {
    const before = await snapshot(app);
    const ada = await clientFor("ada@acme.test");
    const wrong: string[] = [];
    for (const [what, content] of FILES) {
      const res = await ada.upload("/users/import", { field: "file", name: "hostile.csv", content });
      if (res.status === 400) {
        const problem = await refusal({ name: what, as: null, path: "", fields: {} }, res);
        if (problem) wrong.push(`${what}: ${problem}`);
        continue;
      }
      const review = res.headers.get("location");
      if (res.status !== 302 || !review?.startsWith("/users/import/")) {
        wrong.push(`${what}: ${res.status}`);
        continue;
      }
      const page = await (await ada.get(review)).text();
      if (!/1 row with errors/.test(page)) wrong.push(`${what}: a review without the row's error`);
    }
    expect({ wrong, changes: outsideImports(changes(before, await snapshot(app))) }).toEqual({
      wrong: [],
      changes: {},
    });
  }, 300_000);

  it("a file past 20 MB is refused before the app reads it (413)", async () => {
    const ada = await clientFor("ada@acme.test");
    const res = await ada.upload("/users/import", {
      field: "file",
      name: "huge.csv",
      content: `Email\n${"a".repeat(21 * MB)}`,
    });
    expect(res.status).toBe(413);
  });
});

describe("sign-in and the client's address", () => {
  const LOOPBACK = ["127.0.0.1", "::1"];
  const attemptsOf = (email: string) =>
    app.withDb((db) => db.selectFrom("login_attempts").select(["ip"]).where("email", "=", email).execute());

  it("keeps the redirect after sign-in on this site, whatever redirectTo holds", async () => {
    const answers: [string, number, string | null][] = [];
    for (const redirectTo of [
      "/\t/evil.test/x",
      "/\n/x",
      "/\r\n/evil.test",
      "/\\evil.test",
      "//evil.test",
      "https://evil.test/",
      "javascript:alert(1)",
    ]) {
      const res = await new HttpClient(app.origin).post("/login", {
        email: "gina@globex.test",
        password: DEMO_PASSWORD,
        redirectTo,
      });
      answers.push([redirectTo, res.status, res.headers.get("location")]);
    }
    expect(answers.filter(([, status, location]) => status !== 302 || location !== "/")).toEqual([]);
  });

  it("checks at most five of twenty sign-ins sent at once for one email", async () => {
    const email = "no-such-person@acme.test";
    const clients = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const c = new HttpClient(app.origin);
        await c.get("/login"); // the token cookie, before the race
        return c;
      }),
    );
    const answers = await Promise.all(clients.map((c) => c.post("/login", { email, password: "wrong" })));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 400));
    expect(await attemptsOf(email)).toHaveLength(5);
  });

  it("records the socket's address, not the one a client claims, without TRUST_PROXY", async () => {
    const forged = { "x-forwarded-for": "198.51.100.7", "x-real-ip": "198.51.100.8" };
    const client = new HttpClient(app.origin);
    const signIn = await client.post(
      "/login",
      { email: "uma@acme.test", password: DEMO_PASSWORD },
      { headers: forged },
    );
    expect(signIn.status).toBe(302);
    const saved = await client.post(
      "/settings",
      {
        firstName: "Uma",
        lastName: "Patel",
        jobTitle: "Forged address",
        timezone: "America/Los_Angeles",
        language: "en",
      },
      { headers: forged },
    );
    expect(saved.status).toBe(302);
    const recorded = await app.withDb(async (db) => {
      const uma = await db
        .selectFrom("users")
        .select("id")
        .where("email", "=", "uma@acme.test")
        .executeTakeFirstOrThrow();
      return {
        attempt: (
          await db
            .selectFrom("login_attempts")
            .select("ip")
            .where("email", "=", "uma@acme.test")
            .orderBy("id", "desc")
            .executeTakeFirstOrThrow()
        ).ip,
        session: (
          await db
            .selectFrom("sessions")
            .select("ip")
            .where("user_id", "=", uma.id)
            .orderBy("created_at", "desc")
            .executeTakeFirstOrThrow()
        ).ip,
        audit: (
          await db
            .selectFrom("audit_log")
            .select("ip")
            .where("actor_user_id", "=", uma.id)
            .orderBy("id", "desc")
            .executeTakeFirstOrThrow()
        ).ip,
      };
    });
    for (const ip of Object.values(recorded)) expect(LOOPBACK).toContain(ip);
  });
});

/**
 * The SCIM service (app/scim), which identity providers call with a bearer
 * token and JSON: every route gets bodies that are not JSON or not objects,
 * JSON of the wrong types, 10,000 characters, control characters and NUL in
 * every string it reads, huge, negative and non-numeric startIndex and count,
 * garbage filters, sorts and PATCH paths, absurd ids, another company's id,
 * and revoked, expired, foreign and malformed tokens. A change must be
 * refused with SCIM's error JSON and a 4xx; a read may also answer its list;
 * never a 5xx; and the database must be as before (but for a token's
 * last-used time, which authentication keeps).
 */
describe("hostile input to the SCIM service", () => {
  const LONG = "x".repeat(10_000);
  const CONTROL = "a\u0000b\u0007c";
  const BIDI = "abc\u202Egnp.exe";
  let tokens: { acme: string; revoked: string; expired: string };
  let acmeUser: string;
  let globexUser: string;
  let acmeGroup: string;

  beforeAll(async () => {
    ({ tokens, acmeUser, globexUser, acmeGroup } = await app.withDb(async (db) => {
      const [acme, revoked, expired] = [
        await provisioningToken(db, "ada@acme.test", "Okta"),
        await provisioningToken(db, "ada@acme.test", "Old"),
        await provisioningToken(db, "ada@acme.test", "Lapsed"),
      ];
      await db
        .updateTable("provisioning_tokens")
        .set({ revoked_at: new Date() })
        .where("id", "=", revoked.id)
        .execute();
      await db
        .updateTable("provisioning_tokens")
        .set({ expires_at: new Date(Date.now() - 86_400_000) })
        .where("id", "=", expired.id)
        .execute();
      const userOf = async (email: string) =>
        String(
          (await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id,
        );
      const group = await db
        .selectFrom("groups")
        .innerJoin("companies", "companies.id", "groups.company_id")
        .select("groups.id")
        .where("companies.name", "=", "Acme")
        .where("groups.kind", "in", ["department", "call_center"])
        .orderBy("groups.id")
        .executeTakeFirstOrThrow();
      return {
        tokens: { acme: acme.token, revoked: revoked.token, expired: expired.token },
        acmeUser: await userOf("marcus@acme.test"),
        globexUser: await userOf("walter@globex.test"),
        acmeGroup: String(group.id),
      };
    }));
  });

  /** The snapshot without the token's last use, which a request may write by design. */
  const state = async () => {
    const s = await snapshot(app);
    s.provisioning_tokens = (s.provisioning_tokens ?? []).map((row) => {
      const { last_used_at: _, ...rest } = JSON.parse(row) as Record<string, unknown>;
      return JSON.stringify(rest);
    });
    return s;
  };

  /**
   * What is wrong with an answer, or null: SCIM's error JSON with a 4xx (501 for a Group write:
   * Groups are read only), or (reads only) a list or resource.
   */
  function problem(a: ScimAnswer, mayRead: boolean, refusedWith501 = false): string | null {
    if (refusedWith501 && a.status !== 501) return `${a.status}, not 501`;
    if (a.status >= 500 && !refusedWith501) return `${a.status}: ${a.text.slice(0, 200)}`;
    if (!a.type?.startsWith("application/scim+json")) return `${a.status} as ${a.type}`;
    if (a.status >= 200 && a.status < 300) return mayRead ? null : `${a.status}, not refused`;
    if (a.status < 400) return `${a.status}`;
    if (!a.body?.schemas?.includes(SCIM_ERROR) || a.body.status !== String(a.status) || !a.body.detail)
      return `${a.status} without SCIM's error JSON`;
    return null;
  }

  const user = (more: Record<string, unknown> = {}) => ({
    schemas: [SCIM_CORE],
    userName: "hostile.case@acme.test",
    name: { givenName: "Hostile", familyName: "Case" },
    emails: [{ value: "hostile.case@acme.test", primary: true, type: "work" }],
    ...more,
  });
  /** One valid user body with `path` (a.b for a sub-attribute) set to `value`. */
  const userWith = (path: string, value: unknown) => {
    const body = user() as Record<string, unknown>;
    // A schema's URN (with its "2.0") is one key.
    const [top, sub] = path.startsWith("urn:") ? [path] : path.split(".");
    if (sub) body[top!] = { ...(body[top!] as object), [sub]: value };
    else body[top!] = value;
    return body;
  };
  const patch = (...Operations: unknown[]) => ({ schemas: [SCIM_PATCH_OP], Operations });

  function bodies(): [string, unknown][] {
    const out: [string, unknown][] = [
      ["not JSON", "{not json"],
      ["empty", ""],
      ["JSON null", "null"],
      ["a list", "[]"],
      ["a number", "42"],
      ["a string", '"user"'],
      ["NUL in JSON", '{"userName":"a\u0000"}'],
      ["deep nesting", "[".repeat(5_000) + "]".repeat(5_000)],
    ];
    const strings = ["userName", "externalId", "name.givenName", "name.familyName", "title", "displayName"];
    for (const path of strings)
      for (const [what, value] of [
        ["10,000 characters", LONG],
        ["control characters", CONTROL],
        ["NUL", "\u0000"],
        ["a bidirectional override", BIDI],
        ["a number", 12],
        ["a list", ["a"]],
        ["an object", { a: 1 }],
        ["true", true],
      ] as const) {
        // displayName only stands in for a missing name: without one, it is read.
        const body =
          path === "displayName" ? { ...userWith(path, value), name: undefined } : userWith(path, value);
        out.push([`${path}: ${what}`, body]);
      }
    for (const [what, emails] of [
      ["not a list", "a@acme.test"],
      ["a number in it", [12]],
      ["a value that is a number", [{ value: 12 }]],
      ["a value of 10,000 characters", [{ value: `${LONG}@acme.test` }]],
      ["a value with NUL", [{ value: "a\u0000@acme.test", primary: true }]],
      ["a value with control characters", [{ value: `${CONTROL}@acme.test` }]],
      ["not an address", [{ value: "emailName357" }]],
    ] as const)
      out.push([`emails: ${what}`, userWith("emails", emails)]);
    for (const [what, active] of [
      ["a word", "maybe"],
      ["a number", 1],
      ["a list", [true]],
    ] as const)
      out.push([`active: ${what}`, userWith("active", active)]);
    const ext = "urn:switchboard:params:scim:schemas:extension:2.0:User";
    for (const [what, value] of [
      ["an unknown office", { office: "Atlantis" }],
      ["an office with NUL", { office: "San\u0000Francisco" }],
      ["another company's office", { office: "Springfield" }],
      ["an unknown license", { license: "__proto__" }],
      ["a license of the wrong type", { license: 3 }],
      ["not an object", "Connect"],
    ] as const)
      out.push([`extension: ${what}`, userWith(ext, value)]);
    return out;
  }

  function patches(): [string, unknown][] {
    return [
      ["no Operations", { schemas: [SCIM_PATCH_OP] }],
      ["Operations not a list", { Operations: "replace" }],
      ["Operations empty", patch()],
      [
        "101 operations",
        patch(...Array.from({ length: 101 }, () => ({ op: "replace", path: "title", value: "x" }))),
      ],
      ["an operation that is a string", patch("replace")],
      ["an op that is a number", patch({ op: 1, path: "title", value: "x" })],
      ["an unknown op", patch({ op: "move", path: "title", value: "x" })],
      ["a path that is a number", patch({ op: "replace", path: 3, value: "x" })],
      [
        "an unclosed value filter",
        patch({ op: "replace", path: 'emails[type eq "work"', value: "a@b.test" }),
      ],
      ["a garbage path", patch({ op: "replace", path: "..[]]]", value: "x" })],
      ["a path of 10,000 characters", patch({ op: "replace", path: LONG, value: "x" })],
      ["a path with NUL", patch({ op: "replace", path: "ti\u0000tle", value: "x" })],
      ["an unknown URN", patch({ op: "replace", path: "urn:x:y:z:title", value: "x" })],
      ["remove without a path", patch({ op: "remove" })],
      ["remove userName", patch({ op: "remove", path: "userName" })],
      ["a path-less value that is a string", patch({ op: "replace", value: "x" })],
      ["title: 10,000 characters", patch({ op: "replace", path: "title", value: LONG })],
      ["title: NUL", patch({ op: "replace", path: "title", value: "\u0000" })],
      [
        "name.givenName: control characters",
        patch({ op: "Replace", path: "name.givenName", value: CONTROL }),
      ],
      ["a dotted key with NUL", patch({ op: "Replace", value: { "name.givenName": "a\u0000" } })],
      ["userName: a list", patch({ op: "replace", path: "userName", value: ["x"] })],
      [
        "emails: a work email that is no address",
        patch({ op: "replace", path: 'emails[type eq "work"].value', value: "x" }),
      ],
      ["active: a word", patch({ op: "replace", path: "active", value: "maybe" })],
      ["id: another", patch({ op: "replace", path: "id", value: globexUser })],
      ["__proto__", patch({ op: "add", path: "__proto__", value: { polluted: true } })],
    ];
  }

  const QUERIES: [string, string][] = [
    ...["-1", "0", "1e3", "abc", "99999999999999999999", "9".repeat(10_000), "\u0000", "1.5", " "].flatMap(
      (v) =>
        [
          [`startIndex=${v}`, `startIndex=${encodeURIComponent(v)}`],
          [`count=${v}`, `count=${encodeURIComponent(v)}`],
        ] as [string, string][],
    ),
    ...[
      "(((",
      "userName eq",
      'userName eq "\u0000"',
      'userName co "a\u0007"',
      'emails[type eq "work"',
      'password eq "x"',
      "__proto__ pr",
      'meta.created gt "yesterday"',
      'active eq "maybe"',
      'id eq "1 OR 1=1"',
      "not (".repeat(200) + "userName pr" + ")".repeat(200),
      Array.from({ length: 150 }, () => 'userName eq "a"').join(" or "),
      `userName eq "${LONG}"`,
      '\u202EuserName eq "a"',
    ].map((f) => [`filter=${f.slice(0, 40)}`, `filter=${encodeURIComponent(f)}`] as [string, string]),
    ...["__proto__", "password", "\u0000", LONG, "emails.value"].map(
      (s) => [`sortBy=${s.slice(0, 20)}`, `sortBy=${encodeURIComponent(s)}`] as [string, string],
    ),
    ["sortOrder=sideways", "sortBy=userName&sortOrder=sideways"],
    ["attributes and excludedAttributes", "attributes=userName&excludedAttributes=emails"],
    ["attributes: 10,000 characters", `attributes=${LONG}`],
    ["attributes: NUL and garbage", `attributes=${encodeURIComponent("\u0000,[[,..,__proto__")}`],
  ];

  const IDS: [string, string][] = [
    ["letters", "abc"],
    ["negative", "-1"],
    ["zero", "0"],
    ["past the integer range", "2147483648"],
    ["10,000 digits", "9".repeat(10_000)],
    ["SQL", encodeURIComponent("1 OR 1=1")],
    ["NUL", "%00"],
    ["an exponent", "1e3"],
    ["prototype", "__proto__"],
  ];

  it("refuses hostile bodies, paths, queries and tokens with SCIM's error JSON, and changes nothing", async () => {
    const before = await state();
    const wrong: string[] = [];
    const send = async (
      what: string,
      mayRead: boolean,
      token: string | null,
      method: string,
      path: string,
      body?: unknown,
      headers?: Record<string, string>,
    ) => {
      const found = problem(await scimRequest(app.origin, token, method, path, body, headers), mayRead);
      if (found) wrong.push(`${method} ${path.slice(0, 60)} (${what}): ${found}`);
    };
    const acme = tokens.acme;
    for (const [what, body] of bodies()) {
      await send(what, false, acme, "POST", "/Users", body);
      await send(what, false, acme, "PUT", `/Users/${acmeUser}`, body);
    }
    for (const [what, body] of patches()) await send(what, false, acme, "PATCH", `/Users/${acmeUser}`, body);
    for (const [what, query] of QUERIES) {
      await send(what, true, acme, "GET", `/Users?${query}`);
      await send(what, true, acme, "GET", `/Groups?${query}`);
    }
    for (const [what, id] of [...IDS, ["another company's user", globexUser]] as [string, string][]) {
      await send(what, false, acme, "GET", `/Users/${id}`);
      await send(what, false, acme, "PUT", `/Users/${id}`, user());
      await send(
        what,
        false,
        acme,
        "PATCH",
        `/Users/${id}`,
        patch({ op: "replace", path: "title", value: "x" }),
      );
      await send(what, false, acme, "DELETE", `/Users/${id}`);
      await send(what, false, acme, "GET", `/Groups/${id}`);
      await send(what, false, acme, "GET", `/Schemas/${id}`);
    }
    // Groups are read only: every write is 501, whatever it carries.
    for (const [method, path] of [
      ["POST", "/Groups"],
      ["PUT", `/Groups/${acmeGroup}`],
      ["PATCH", `/Groups/${acmeGroup}`],
      ["DELETE", `/Groups/${acmeGroup}`],
    ] as const)
      for (const [what, body] of [
        ["not JSON", "{"],
        ["garbage", { members: [{ value: globexUser }] }],
      ] as const) {
        const found = problem(await scimRequest(app.origin, acme, method, path, body), false, true);
        if (found) wrong.push(`${method} ${path} (${what}): ${found}`);
      }
    await send("a write to discovery", false, acme, "POST", "/Schemas", user());
    await send("an unknown resource", false, acme, "GET", "/Users2");
    for (const [what, token, headers] of [
      ["no token", null, {}],
      ["a revoked token", tokens.revoked, {}],
      ["an expired token", tokens.expired, {}],
      ["a made-up token", "sbp_" + "A".repeat(43), {}],
      ["a token of 10,000 characters", LONG, {}],
      [
        "Basic credentials",
        null,
        { Authorization: `Basic ${Buffer.from(`okta:${tokens.acme}`).toString("base64")}` },
      ],
      ["the token twice", null, { Authorization: `Bearer ${tokens.acme} ${tokens.acme}` }],
    ] as [string, string | null, Record<string, string>][]) {
      await send(what, false, token, "GET", "/Users", undefined, headers);
      await send(what, false, token, "POST", "/Users", user(), headers);
      await send(what, false, token, "DELETE", `/Users/${acmeUser}`, undefined, headers);
    }
    expect({ wrong, changes: changes(before, await state()) }).toEqual({ wrong: [], changes: {} });
  }, 600_000);
});

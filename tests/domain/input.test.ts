/**
 * app/input.ts, the one way routes read what people send, and the schemas
 * built on it: ids within the database's integer range, text without control
 * characters, codes looked up as own keys only.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  idField,
  isOneOf,
  MAX_ID,
  nameIn,
  parseId,
  parseTaggedId,
  plainText,
  readQuery,
} from "../../app/input.ts";
import { LICENSE_NAMES } from "../../app/ui/format.ts";
import { listParams, readListParams } from "../../app/users/list-params.ts";
import { readPoolParams } from "../../app/numbers/pool-params.ts";
import { parseTarget, reassignSchema } from "../../app/numbers/reassign-schema.ts";
import { addUserSchema } from "../../app/users/add-schema.ts";
import { bulkConfirmation, bulkTransferConfirmation, formToObject } from "../../app/users/bulk-params.ts";
import { licenseTransferConfirmSchema } from "../../app/licenses/schema.ts";
import { readAuditFilters } from "../../app/audit/log.server.ts";

const PROTOTYPE_WORDS = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];

describe("parseId", () => {
  it("takes a plain whole number from 1 to 2³¹−1", () => {
    expect(["1", "42", String(MAX_ID)].map(parseId)).toEqual([1, 42, MAX_ID]);
  });

  it("refuses what the database's integer cannot hold, and every other spelling", () => {
    for (const raw of [
      "2147483648",
      "9999999999",
      "99999999999",
      "0",
      "-1",
      "007",
      "1e3",
      "0x1f",
      " 7",
      "7 ",
    ])
      expect.soft(parseId(raw), raw).toBeNull();
    for (const raw of ["", "1.5", "\u0000", "1\u0000", "٣", undefined, null, 7, ["1"]])
      expect.soft(parseId(raw), String(raw)).toBeNull();
  });

  it("gives, for any string, null or the id it spells exactly", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer().map(String), fc.bigInt().map(String)), (raw) => {
        const id = parseId(raw);
        return id === null || (Number.isInteger(id) && id >= 1 && id <= MAX_ID && String(id) === raw);
      }),
      { seed: 13, numRuns: 2000 },
    );
  });

  it("reads composite values: a known kind and an id in range", () => {
    expect(parseTaggedId("user:12", ["user", "group"])).toEqual({ tag: "user", id: 12 });
    expect(parseTaggedId("group:7", ["user", "group"])).toEqual({ tag: "group", id: 7 });
    for (const raw of [
      "user:2147483648",
      "group:9999999999",
      "user:-1",
      "user:",
      "user",
      "pool:1",
      "user:1:2",
    ])
      expect.soft(parseTaggedId(raw, ["user", "group"]), raw).toBeNull();
    expect(parseTarget("user:2147483648")).toBeNull();
  });
});

describe("schemas built on it", () => {
  it("an id field is its message beside the field, outside the range", () => {
    const office = idField("Choose an office.");
    expect(office.parse("5")).toBe(5);
    expect(office.safeParse("2147483648").error?.issues[0]?.message).toBe("Choose an office.");
  });

  it("Reassign, Add User and the bulk forms refuse ids past the range", () => {
    expect(reassignSchema.safeParse({ target: "user:2147483648" }).success).toBe(false);
    expect(reassignSchema.safeParse({ target: "group:9999999999" }).success).toBe(false);
    expect(reassignSchema.safeParse({ target: "user:2147483647" }).success).toBe(true);
    const user = {
      officeId: "1",
      firstName: "Nora",
      lastName: "Vance",
      email: "nora@acme.test",
      licenseType: "connect",
    };
    expect(addUserSchema.safeParse({ ...user, number: "pool:9999999999" }).success).toBe(false);
    expect(addUserSchema.safeParse({ ...user, officeId: "2147483648", number: "none" }).success).toBe(false);
    expect(addUserSchema.safeParse({ ...user, number: "pool:9" }).success).toBe(true);
    expect(bulkConfirmation.safeParse({ action: "delete", id: ["1", "2147483648"] }).success).toBe(false);
    expect(
      bulkTransferConfirmation.safeParse({ action: "transfer", to: "1", id: ["1"], seen: ["9999999999:abc"] })
        .success,
    ).toBe(false);
  });

  it("a repeated field named __proto__ stays a field, not the prototype of the form", () => {
    const form = formToObject(new URLSearchParams("__proto__=1&__proto__=2&action=delete"));
    expect(Object.getPrototypeOf(form)).toBe(Object.prototype);
    expect(Object.hasOwn(form, "__proto__")).toBe(true);
  });

  it("text refuses control and text-direction characters, with a message", () => {
    const search = plainText("the search", 200);
    for (const bad of ["\u0000", "a\u0000b", "a\u0007", "abc\u202Egnp.exe"])
      expect
        .soft(search.safeParse(bad).error?.issues[0]?.message, JSON.stringify(bad))
        .toBe("Remove the control and text-direction characters from the search.");
    expect(search.parse("  O'Brien <R&D>  ")).toBe("O'Brien <R&D>");
  });

  it("a license type is one of the codes, not a word every object has", () => {
    for (const word of PROTOTYPE_WORDS) {
      expect.soft(isOneOf(LICENSE_NAMES, word), word).toBe(false);
      expect.soft(nameIn(LICENSE_NAMES, word), word).toBeUndefined();
      const review = { category: "dialpad", from: "1", to: "2", type: word, quantity: "1" };
      expect.soft(licenseTransferConfirmSchema.safeParse({ ...review, seen: "k" }).success, word).toBe(false);
    }
    expect(nameIn(LICENSE_NAMES, "sell")).toBe("Sell");
  });
});

describe("GET parameters", () => {
  const url = (query: string) => new URL(`http://x/users?${query}`);

  it("a search with a control character comes back as its message, and the rest still applies", () => {
    const { params, error, typed } = readListParams(url("q=a%00b&license=sell&sort=email"));
    expect(error).toEqual(["Remove the control and text-direction characters from the search."]);
    expect(params).toMatchObject({ q: "", license: "sell", sort: "email" });
    expect(typed, "shown as typed, beside its message").toBe("a\u0000b");
    expect(readPoolParams(new URL("http://x/?q=%00&kind=fax")).params).toMatchObject({ q: "", kind: "fax" });
    expect(readPoolParams(new URL("http://x/?q=%00")).error).not.toBeNull();
    expect(readListParams(url(`q=${"x".repeat(201)}`)).error).toEqual([
      "Keep the search under 200 characters.",
    ]);
  });

  it("any other made-up value falls back to its default, as before", () => {
    const { params, error } = readListParams(
      url("office=9999999999&page=-1&sort=__proto__&license=constructor"),
    );
    expect(error).toBeNull();
    expect(params).toEqual(listParams.parse({}));
  });

  it("the audit log's filters read the same way", () => {
    const r = readAuditFilters(new URL("http://x/audit?who=a%00&target=ethan"));
    expect(r.reply?.error).toMatchObject({
      who: ["Remove the control and text-direction characters from the name or email."],
    });
    expect(r.filters).toMatchObject({ target: "ethan" });
  });

  it("readQuery keeps every good field whatever the bad ones are", () => {
    fc.assert(
      fc.property(fc.string(), (q) => {
        const search = new URLSearchParams({ q, dir: "desc" });
        const { value, reply } = readQuery(search, listParams);
        return value.dir === "desc" && (reply === null) === (value.q === q.trim());
      }),
      { seed: 13, numRuns: 500 },
    );
  });
});

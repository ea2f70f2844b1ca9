import { describe, expect, it } from "vitest";
import { addUserSchema } from "../../app/users/add-schema.ts";
import { settingsSchema } from "../../app/settings/schema.ts";
import { proxyLoginSchema } from "../../app/proxy/schema.ts";
import { editUserSchema } from "../../app/users/edit-schema.ts";

// A right-to-left override makes "abc\u202Egnp.exe" display as "abcexe.png": in a name shown
// to admins (lists, audit entries, the proxy banner) it would pass one person off as another.
const SPOOFS = ["abc\u202Egnp.exe", "a\u2066b\u2069", "a\u202Ab"];

describe("text people type", () => {
  it.each(SPOOFS)("refuses bidirectional overrides and isolates: %j", (text) => {
    const settings = { firstName: text, lastName: "Patel", timezone: "America/Los_Angeles", language: "en" };
    expect(settingsSchema.safeParse(settings).success).toBe(false);
    expect(settingsSchema.safeParse({ ...settings, firstName: "Uma", jobTitle: text }).success).toBe(false);
    const user = {
      officeId: 1,
      firstName: "Nora",
      lastName: text,
      email: "nora@acme.test",
      licenseType: "connect",
      number: "none",
    };
    expect(addUserSchema.safeParse(user).success).toBe(false);
    const edit = { firstName: "Nora", lastName: "Vance", email: "nora@acme.test" };
    expect(editUserSchema.safeParse({ ...edit, firstName: text }).success).toBe(false);
    expect(editUserSchema.safeParse({ ...edit, jobTitle: text }).success).toBe(false);
    expect(proxyLoginSchema(false).safeParse({ reason: text }).success).toBe(false);
  });

  it("takes any script, and punctuation", () => {
    const settings = {
      firstName: "Zoë Аkhmatova 山田",
      lastName: "O'Brien <R&D>",
      timezone: "America/Los_Angeles",
      language: "en",
    };
    expect(settingsSchema.safeParse(settings).success).toBe(true);
  });
});

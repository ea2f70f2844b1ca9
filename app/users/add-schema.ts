/** The Add User form, shared by the server and the browser. */
import { z } from "zod";
import { idField, parseTaggedId } from "../input.ts";
import { USER_LICENSE_TYPES } from "../../db/schema.ts";
import { email, firstName, lastName } from "./person-fields.ts";

const CHOOSE_NUMBER = "Choose a number from the list, or no number.";

export const addUserSchema = z.object({
  officeId: idField("Choose an office."),
  firstName,
  lastName,
  email,
  licenseType: z.enum(USER_LICENSE_TYPES, "Choose a license type."),
  /** "none", "pool:<id>" (a number of the Reserved Pool) or "new:<E.164>" (from the number provider). */
  number: z
    .string("Choose a number, or no number.")
    .refine(
      (v) => v === "none" || parseTaggedId(v, ["pool"]) !== null || /^new:\+[1-9]\d{6,14}$/.test(v),
      CHOOSE_NUMBER,
    ),
});
export type AddUserInput = z.infer<typeof addUserSchema>;

/** The Add User form, shared by the server and the browser. */
import { z } from "zod";
import { PLAIN_TEXT } from "../ui/plain-text.ts";
import { USER_LICENSE_TYPES } from "../../db/schema.ts";

const name = (label: string) =>
  z
    .string(`Enter ${label}.`)
    .trim()
    .min(1, `Enter ${label}.`)
    .max(100, `Keep ${label} under 100 characters.`)
    .regex(PLAIN_TEXT, `Remove the control and text-direction characters from ${label}.`);

export const addUserSchema = z.object({
  officeId: z.coerce
    .number("Choose an office.")
    .int()
    .positive()
    .max(2 ** 31 - 1),
  firstName: name("a first name"),
  lastName: name("a last name"),
  email: z.email("Enter an email address, like name@company.com.").max(254, "That email is too long."),
  licenseType: z.enum(USER_LICENSE_TYPES, "Choose a license type."),
  number: z
    .string("Choose a number, or no number.")
    .regex(/^(none|pool:\d{1,10}|new:\+[1-9]\d{6,14})$/, "Choose a number from the list, or no number."),
});
export type AddUserInput = z.infer<typeof addUserSchema>;

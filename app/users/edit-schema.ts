/** The Edit user form, shared by the server and the browser: the person fields of Add User and settings. */
import { z } from "zod";
import { email, extension, firstName, jobTitle, lastName } from "./person-fields.ts";

export const editUserSchema = z.object({
  firstName,
  lastName,
  email,
  extension,
  jobTitle,
});
export type EditUserInput = z.infer<typeof editUserSchema>;

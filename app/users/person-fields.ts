/**
 * The fields that describe a person, as every form that takes them checks
 * them: Add User, Edit user and a person's own settings. One definition, so a
 * name refused in one form is refused in all of them; the text rules
 * themselves are app/input.ts's. Plain module: the browser checks the same
 * rules before a round trip.
 */
import { z } from "zod";
import { plainText, requiredText } from "../input.ts";

/** A first or last name: required, at most 100 characters, plain text. */
export const personName = (label: string) => requiredText(label, 100);

/** The first and last names of the forms and of an import's rows: built once, not per use or per row. */
export const firstName = personName("a first name");
export const lastName = personName("a last name");

/** An email address; the database keeps it unique in any letter case (users_email_key). */
export const email = z
  .email("Enter an email address, like name@company.com.")
  .max(254, "That email is too long.");

/** A job title: optional (empty is none), at most 100 characters, plain text. */
export const jobTitle = plainText("the job title", 100).optional();

/** An extension: optional (empty is none), 2 to 6 digits, as the users_extension check of the schema says. */
export const extension = z
  .string()
  .trim()
  .regex(/^[0-9]{2,6}$/, "Enter an extension of 2 to 6 digits, or leave it empty.")
  .optional();

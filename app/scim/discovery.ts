/**
 * What the SCIM service supports, as RFC 7643 §5–§7 asks it to describe
 * itself: exactly what app/scim/ implements, no more.
 */
import { EXTENSION_SCHEMA, USER_SCHEMA } from "./mapping.ts";
import { GROUP_SCHEMA } from "./groups.server.ts";
import { listResponse, MAX_COUNT } from "./http.server.ts";

const SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";

const meta = (baseUrl: string, resourceType: string, path: string) => ({
  resourceType,
  location: `${baseUrl}/${path}`,
});

export const serviceProviderConfig = (baseUrl: string) => ({
  schemas: [SPC_SCHEMA],
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: MAX_COUNT },
  changePassword: { supported: false },
  sort: { supported: true },
  etag: { supported: false },
  authenticationSchemes: [
    {
      type: "oauthbearertoken",
      name: "Provisioning token",
      description: "A token from Company Settings › Provisioning, sent as Authorization: Bearer <token>.",
      primary: true,
    },
  ],
  meta: meta(baseUrl, "ServiceProviderConfig", "ServiceProviderConfig"),
});

const userResourceType = (baseUrl: string) => ({
  schemas: [RESOURCE_TYPE_SCHEMA],
  id: "User",
  name: "User",
  endpoint: "/Users",
  description: "A person of the company",
  schema: USER_SCHEMA,
  schemaExtensions: [{ schema: EXTENSION_SCHEMA, required: false }],
  meta: meta(baseUrl, "ResourceType", "ResourceTypes/User"),
});

// Read only: POST, PUT, PATCH and DELETE on /Groups are 501 (app/scim/groups.server.ts).
const groupResourceType = (baseUrl: string) => ({
  schemas: [RESOURCE_TYPE_SCHEMA],
  id: "Group",
  name: "Group",
  endpoint: "/Groups",
  description: "A department or call center of the company, read only: managed in Switchboard",
  schema: GROUP_SCHEMA,
  meta: meta(baseUrl, "ResourceType", "ResourceTypes/Group"),
});

const attr = (
  name: string,
  more: Partial<{
    type: string;
    required: boolean;
    mutability: string;
    uniqueness: string;
    caseExact: boolean;
    multiValued: boolean;
    returned: string;
    subAttributes: unknown[];
    canonicalValues: string[];
    description: string;
  }> = {},
) => ({
  name,
  type: "string",
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: "readWrite",
  returned: "default",
  uniqueness: "none",
  ...more,
});

const userSchema = (baseUrl: string) => ({
  schemas: [SCHEMA_SCHEMA],
  id: USER_SCHEMA,
  name: "User",
  description: "A person of the company",
  attributes: [
    attr("userName", {
      required: true,
      uniqueness: "server",
      description: "Unique in the company, in any letter case",
    }),
    attr("externalId", { caseExact: true }),
    attr("name", {
      type: "complex",
      subAttributes: [
        attr("givenName", { required: true }),
        attr("familyName", { required: true }),
        attr("formatted", { mutability: "readOnly" }),
      ],
    }),
    attr("displayName", { mutability: "readOnly" }),
    attr("title"),
    attr("emails", {
      type: "complex",
      multiValued: true,
      description: "Switchboard keeps one: the primary, else the work one, else the first",
      subAttributes: [
        attr("value", { required: true }),
        attr("type", { canonicalValues: ["work"] }),
        attr("primary", { type: "boolean" }),
      ],
    }),
    attr("active", { type: "boolean", description: "false: suspended (cannot sign in, license seat freed)" }),
  ],
  meta: meta(baseUrl, "Schema", `Schemas/${USER_SCHEMA}`),
});

const groupSchema = (baseUrl: string) => ({
  schemas: [SCHEMA_SCHEMA],
  id: GROUP_SCHEMA,
  name: "Group",
  description: "A department or call center, read only over SCIM",
  attributes: [
    attr("displayName", { required: true, mutability: "readOnly" }),
    attr("members", {
      type: "complex",
      multiValued: true,
      mutability: "readOnly",
      subAttributes: [
        attr("value", { mutability: "readOnly" }),
        attr("display", { mutability: "readOnly" }),
        attr("type", { mutability: "readOnly", canonicalValues: ["User"] }),
        attr("$ref", { type: "reference", mutability: "readOnly" }),
      ],
    }),
  ],
  meta: meta(baseUrl, "Schema", `Schemas/${GROUP_SCHEMA}`),
});

const extensionSchema = (baseUrl: string) => ({
  schemas: [SCHEMA_SCHEMA],
  id: EXTENSION_SCHEMA,
  name: "Switchboard User",
  description: "Where a provisioned user goes, and their license",
  attributes: [
    attr("office", {
      description: "The office's name; else the company's first office",
      mutability: "immutable",
    }),
    attr("license", {
      canonicalValues: ["Connect", "Sell", "Support"],
      description: "Else Connect",
      mutability: "immutable",
    }),
  ],
  meta: meta(baseUrl, "Schema", `Schemas/${EXTENSION_SCHEMA}`),
});

const list = (resources: unknown[]) => listResponse(resources.length, 1, resources);

/** The discovery document at a path under /scim/v2, or null. */
export function discovery(path: string, baseUrl: string): unknown {
  const [head, ...rest] = path.split("/");
  const id = rest.join("/");
  switch (head?.toLowerCase()) {
    case "serviceproviderconfig":
      return id ? null : serviceProviderConfig(baseUrl);
    case "resourcetypes":
      if (!id) return list([userResourceType(baseUrl), groupResourceType(baseUrl)]);
      return id === "User" ? userResourceType(baseUrl) : id === "Group" ? groupResourceType(baseUrl) : null;
    case "schemas": {
      const all = [userSchema(baseUrl), extensionSchema(baseUrl), groupSchema(baseUrl)];
      if (!id) return list(all);
      return all.find((s) => s.id === id) ?? null;
    }
    default:
      return null;
  }
}

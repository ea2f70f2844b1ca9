import { Form, Link, type LinkProps } from "react-router";
import { CsrfField } from "./csrf";
import { OptionsMenu, OptionsPanel, type OptionsSection } from "./options-menu";

/**
 * What a user's Options menu needs to know, decided on the server
 * (app/users/menu.server.ts, asking the policy): each refusal is the reason
 * shown beside its disabled item, null when the item may be used.
 */
export interface UserMenu {
  id: number;
  name: string;
  /** Set for a pending user: the live invite Resend invite replaces (see user.resend-invite.tsx), or "none". */
  invite: string | null;
  proxyLogin: string | null;
  /** Company Admins only: give or remove, and whether they may. */
  proxyAccess: { grant: boolean; refusal: string | null } | null;
  edit: string | null;
  transfer: string | null;
  /** Suspended: the menu offers Reactivate user instead of Suspend user. */
  suspended: boolean;
}

/**
 * The one POST form the Options menus of a page share (render it once per
 * page that shows UserOptions): each menu's POST item is a button of this
 * form, naming its own action, field and value (formaction, name, value).
 * A form and an anti-forgery field per row made up a fifth of the list's HTML.
 */
export const MENU_FORM = "user-options-post";
export function UserOptionsForm() {
  return (
    <Form id={MENU_FORM} method="post" hidden>
      <CsrfField />
    </Form>
  );
}

/**
 * A menu link. Not marked for route discovery (data-discover on ten links a
 * row of fifty rows): the user's routes load when one is followed.
 */
const ItemLink = (props: LinkProps) => <Link discover="none" {...props} />;

/** A menu item that POSTs through the page's shared form. */
function PostItem({
  action,
  name,
  value,
  label,
}: {
  action: string;
  name: string;
  value: string;
  label: string;
}) {
  return (
    <button type="submit" form={MENU_FORM} formAction={action} name={name} value={value}>
      {label}
    </button>
  );
}

/** A menu item that cannot be used here: disabled, with the reason read with it. */
function DisabledItem({ id, label, reason }: { id: string; label: string; reason: string }) {
  return (
    <>
      <button type="button" disabled aria-describedby={id}>
        {label}
      </button>
      <p id={id} className="hint">
        {reason}
      </p>
    </>
  );
}

/**
 * The one definition of a user's Options menu: the user's page and each row of
 * Active or Pending Users show this, so Proxy Login, Transfer user, Change
 * license type, Edit user and Delete user are one step from either (two
 * without JavaScript in the list: its Options is then a link to the user's
 * options page, UserOptionsPage).
 */
export function UserOptions({ menu, inList = false }: { menu: UserMenu; inList?: boolean }) {
  return (
    <OptionsMenu
      label={`Options for ${menu.name}`}
      sections={userOptionSections(menu)}
      pageWithoutScript={inList ? `/users/${menu.id}/options` : undefined}
    />
  );
}

/** The same options on a page of their own (routes/user.options.tsx). */
export function UserOptionsPage({ menu }: { menu: UserMenu }) {
  return <OptionsPanel sections={userOptionSections(menu)} standalone />;
}

function userOptionSections(menu: UserMenu): OptionsSection[] {
  const user = `/users/${menu.id}`;
  const item = (action: string, label: string, refusal: string | null) =>
    refusal ? (
      <DisabledItem id={`${action}-why-${menu.id}`} label={label} reason={refusal} />
    ) : (
      <ItemLink to={`${user}/${action}`}>{label}</ItemLink>
    );
  const proxyAccess = menu.proxyAccess;
  const proxyLabel = proxyAccess?.grant ? "Give proxy access" : "Remove proxy access";
  return [
    {
      title: "Calling",
      items: [
        <ItemLink to={`${user}#numbers`}>Phone numbers</ItemLink>,
        <ItemLink to={`${user}/numbers`}>Manage phone numbers</ItemLink>,
      ],
    },
    { title: "Groups", items: [<ItemLink to={`${user}#groups`}>Group memberships</ItemLink>] },
    {
      title: "Privileges",
      items: [
        <ItemLink to={`${user}/access`}>Admin access</ItemLink>,
        ...(proxyAccess
          ? [
              proxyAccess.refusal ? (
                <DisabledItem
                  id={`proxy-access-why-${menu.id}`}
                  label={proxyLabel}
                  reason={proxyAccess.refusal}
                />
              ) : (
                <PostItem
                  action={`${user}/proxy-access`}
                  name="access"
                  value={proxyAccess.grant ? "grant" : "remove"}
                  label={proxyLabel}
                />
              ),
            ]
          : []),
      ],
    },
    {
      title: "Admin",
      items: [
        item("proxy", "Proxy Login", menu.proxyLogin),
        ...(menu.invite
          ? [
              <PostItem
                action={`${user}/resend-invite`}
                name="invite"
                value={menu.invite}
                label="Resend invite"
              />,
            ]
          : []),
        item("edit", "Edit user", menu.edit),
        item("license", "Change license type", null),
        item("transfer", "Transfer user", menu.transfer),
        menu.suspended ? item("reactivate", "Reactivate user", null) : item("suspend", "Suspend user", null),
        item("delete", "Delete user", null),
      ],
    },
  ];
}

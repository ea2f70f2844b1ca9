/** Where a page sits: the pages above it as links, then this one. */
import { Fragment } from "react";
import { Link } from "react-router";

export interface Crumb {
  to: string;
  label: string;
}

export const USERS_CRUMB: Crumb = { to: "/users", label: "Office › Users" };
export const RESERVED_NUMBERS_CRUMB: Crumb = { to: "/users/reserved-numbers", label: "Reserved Numbers" };
export const DELETED_USERS_CRUMB: Crumb = { to: "/users/deleted", label: "Office › Users › Deleted Users" };
export const userCrumb = (user: { id: number; name: string }): Crumb => ({
  to: `/users/${user.id}`,
  label: user.name,
});

export function Breadcrumb({ trail, current }: { trail: Crumb[]; current: string }) {
  return (
    <p className="breadcrumb">
      {trail.map((c) => (
        <Fragment key={c.to}>
          <Link to={c.to}>{c.label}</Link> ›{" "}
        </Fragment>
      ))}
      <span aria-current="page">{current}</span>
    </p>
  );
}

/** A page about one user, under Office › Users › their name. */
export function UserBreadcrumb({
  user,
  current,
  via = [],
}: {
  user: { id: number; name: string };
  current: string;
  via?: Crumb[];
}) {
  return <Breadcrumb trail={[USERS_CRUMB, userCrumb(user), ...via]} current={current} />;
}

/** The top of a Company Settings page: where it sits, its title, and what it is for. */
export function SettingsHeading({ page, purpose }: { page: string; purpose: string }) {
  return (
    <>
      <p className="breadcrumb">
        Company Settings › <span aria-current="page">{page}</span>
      </p>
      <h1>{page}</h1>
      <p className="subtitle">{purpose}</p>
    </>
  );
}

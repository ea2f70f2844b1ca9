import { NavLink } from "react-router";

/**
 * The seed's tabs, as a navigation landmark of links: each tab is its own
 * URL, so it works without JavaScript and the browser's back button works.
 */
export function TabBar({
  label,
  tabs,
}: {
  label: string;
  tabs: { to: string; label: string; end?: boolean }[];
}) {
  return (
    <nav aria-label={label} className="tabs">
      <ul>
        {tabs.map((t) => (
          <li key={t.to}>
            <NavLink to={t.to} end={t.end}>
              {t.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

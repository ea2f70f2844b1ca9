import type { ReactNode } from "react";

/**
 * The seed's per-user Options menu, as a disclosure: a <details> opens and
 * closes without JavaScript and by keyboard (Enter or Space on its summary),
 * and holds links and POST buttons grouped under the seed's section names.
 */
export function OptionsMenu({
  label,
  sections,
}: {
  label: string;
  sections: { title: string; items: ReactNode[] }[];
}) {
  return (
    <details className="options-menu">
      <summary aria-label={label}>
        Options <span aria-hidden="true">▾</span>
      </summary>
      <div className="options-panel">
        {sections
          .filter((s) => s.items.length > 0)
          .map((s) => (
            <section key={s.title} aria-label={s.title}>
              <h2>{s.title}</h2>
              <ul>
                {s.items.map((item, i) => (
                  <li key={i}>{item}</li>
                ))}
              </ul>
            </section>
          ))}
      </div>
    </details>
  );
}

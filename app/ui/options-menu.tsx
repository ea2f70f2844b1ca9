import { useEffect, useId, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { flushSync } from "react-dom";
import { useHydrated } from "./hydrated";

/** What the keyboard can reach in an open panel, in order. */
const ITEMS = "a[href], button:not([disabled])";

/**
 * The seed's per-user Options menu, with its items grouped under the seed's
 * section names (Calling, Groups, Privileges, Admin).
 *
 * Without JavaScript it is a disclosure: a <details> opens and closes by
 * click or keyboard (Enter or Space on its summary); or, where the page has
 * many (pageWithoutScript), a link to a page of the same options. With
 * JavaScript either becomes a menu button (aria-expanded): Enter, Space or Down opens it
 * on its first item (Up on its last), Up, Down, Home and End move among the
 * items, Escape closes it and returns focus to the button, and a click
 * outside or focus leaving it closes it. The items stay links and POST forms
 * in named groups (the disclosure pattern, not role="menu", whose items could
 * not hold forms and headings), so the same markup serves both.
 */
export function OptionsMenu({
  label,
  sections,
  pageWithoutScript,
}: {
  label: string;
  sections: OptionsSection[];
  /**
   * Without JavaScript, a link to a page of these options instead of a
   * disclosure. The users list gives it: its fifty disclosures of a dozen
   * items each were two thirds of its HTML and of its server's render.
   */
  pageWithoutScript?: string;
}) {
  const id = useId();
  const hydrated = useHydrated();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const details = useRef<HTMLDetailsElement>(null);
  const link = useRef<HTMLAnchorElement>(null);
  const refocusButton = useRef(false);

  // A disclosure opened before hydration stays open (and keeps focus) when it
  // becomes the menu button, and a link focused then leaves focus on the button:
  // otherwise a quick keyboard user's open menu would shut under them, or their
  // place be lost, the moment the scripts arrive.
  useLayoutEffect(() => {
    if (!hydrated) {
      const before = details.current ?? link.current;
      if (details.current?.open) setOpen(true);
      refocusButton.current = !!before && before.contains(document.activeElement);
    } else if (refocusButton.current) {
      refocusButton.current = false;
      button.current?.focus();
    }
  }, [hydrated]);

  const items = () => [
    ...(root.current?.querySelectorAll<HTMLElement>(`.options-panel :is(${ITEMS})`) ?? []),
  ];
  const focusItem = (pick: (all: HTMLElement[]) => HTMLElement | undefined) => pick(items())?.focus();
  // Opened by keyboard, the panel is shown before the key's handler returns, and the item takes focus
  // then: a key pressed next (a fast typist, a test) reaches that item, not one focused a frame later.
  const openOnItem = (pick: (all: HTMLElement[]) => HTMLElement | undefined) => {
    flushSync(() => setOpen(true));
    focusItem(pick);
  };
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  // A click anywhere else closes it (as a native menu does).
  useEffect(() => {
    if (!open) return;
    const outside = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, [open]);

  // The panel's id is for the menu button's aria-controls: without JavaScript nothing refers to it.
  const panel = <OptionsPanel sections={sections} id={hydrated ? `${id}-panel` : undefined} />;
  const face = (
    <>
      Options <span aria-hidden="true">▾</span>
    </>
  );

  if (!hydrated && pageWithoutScript) {
    return (
      <a ref={link} href={pageWithoutScript} className="button options-link" aria-label={label}>
        {face}
      </a>
    );
  }
  if (!hydrated) {
    return (
      <details ref={details} className="options-menu">
        <summary aria-label={label}>{face}</summary>
        {panel}
      </details>
    );
  }

  const onPanelKey = (e: React.KeyboardEvent) => {
    const all = items();
    const at = all.indexOf(document.activeElement as HTMLElement);
    const moves: Record<string, () => HTMLElement | undefined> = {
      ArrowDown: () => all[(at + 1) % all.length],
      ArrowUp: () => all[(at - 1 + all.length) % all.length],
      Home: () => all[0],
      End: () => all[all.length - 1],
    };
    if (e.key === "Escape") {
      e.preventDefault();
      close(true);
    } else if (Object.hasOwn(moves, e.key)) {
      e.preventDefault();
      moves[e.key]!()?.focus();
    }
  };
  const onButtonKey = (e: React.KeyboardEvent) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    e.preventDefault();
    e.stopPropagation(); // not the panel's moves: the panel is not shown yet
    openOnItem((all) => (e.key === "ArrowUp" ? all.at(-1) : all[0]));
  };

  return (
    <div
      ref={root}
      className="options-menu"
      data-open={open || undefined}
      onKeyDown={onPanelKey}
      onBlur={(e) => {
        // Tab went on past it (a click elsewhere is the pointerdown's).
        if (open && e.relatedTarget && !root.current?.contains(e.relatedTarget as Node)) setOpen(false);
      }}
    >
      <button
        ref={button}
        type="button"
        className="options-button"
        aria-label={label}
        aria-expanded={open}
        aria-controls={open ? `${id}-panel` : undefined}
        onKeyDown={onButtonKey}
        onClick={(e) => {
          // Opened by keyboard (Enter or Space: a click with no pointer), focus goes to the first item.
          if (open) setOpen(false);
          else if (e.detail === 0) openOnItem((all) => all[0]);
          else setOpen(true);
        }}
      >
        {face}
      </button>
      {/* Drawn only while open: the users list's fifty closed menus of a dozen items each are DOM the
          browser would otherwise build again after hydration (a fifth of the page's time to interactive). */}
      {open ? panel : null}
    </div>
  );
}

export interface OptionsSection {
  title: string;
  items: ReactNode[];
}

/**
 * The options in their named groups: the open menu's panel, or on its own on
 * the page a menu links to without JavaScript (`standalone`, in the flow of
 * the page rather than over it). Each group is named by aria-label, the same
 * words as its heading: ids per section of every row's menu weighed more than
 * the words.
 */
export function OptionsPanel({
  sections,
  id,
  standalone = false,
}: {
  sections: OptionsSection[];
  id?: string;
  standalone?: boolean;
}) {
  return (
    <div className={standalone ? "options-panel standalone" : "options-panel"} id={id}>
      {sections
        .filter((s) => s.items.length > 0)
        .map((s) => (
          <div key={s.title} role="group" aria-label={s.title}>
            <h2>{s.title}</h2>
            <ul>
              {s.items.map((item, j) => (
                <li key={j}>{item}</li>
              ))}
            </ul>
          </div>
        ))}
    </div>
  );
}

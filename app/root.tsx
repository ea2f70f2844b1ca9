import "./zod-jitless";
import {
  Form,
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteLoaderData,
} from "react-router";
import type { Route } from "./+types/root";
import { authMiddleware, csrfContext } from "./auth/middleware.server";
import { securityHeadersMiddleware } from "./http/security-headers.server";
import { actorContext } from "./auth/actor.server";
import { homeFor } from "./auth/guards.server";
import { readFlash } from "./auth/flash.server";
import { CsrfField } from "./ui/csrf";
import { useHydrated } from "./ui/hydrated";
import stylesheet from "./app.css?url";

// Security headers first, so that they land on whatever the rest answers, refusals and redirects too.
export const middleware: Route.MiddlewareFunction[] = [securityHeadersMiddleware, authMiddleware];

export const links: Route.LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = context.get(actorContext);
  return {
    csrf: context.get(csrfContext),
    flash: readFlash(request),
    actor: actor && {
      name: `${actor.person.firstName} ${actor.person.lastName}`,
      companyName: actor.company.name,
      isAdmin: actor.isAdmin,
      isCompanyAdmin: actor.person.isCompanyAdmin && !actor.proxy,
      home: homeFor(actor),
      // What the red banner says while an admin proxies into this person.
      proxy: actor.proxy && {
        name: `${actor.person.firstName} ${actor.person.lastName}`,
        email: actor.person.email,
      },
    },
  };
}

export function useRootData() {
  return useRouteLoaderData<typeof loader>("root");
}

export function Layout({ children }: { children: React.ReactNode }) {
  const root = useRootData();
  const actor = root?.actor;
  const hydrated = useHydrated();
  return (
    // data-hydrated: React has taken the page over. The end-to-end tests wait for it after loading a
    // document with JavaScript on, so they never act on server HTML that React is about to replace.
    <html lang="en" data-hydrated={hydrated || undefined}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to main content
        </a>
        {actor?.proxy ? <ProxyBanner name={actor.proxy.name} email={actor.proxy.email} /> : null}
        <header className="topbar">
          <Link to={actor?.home ?? "/login"} className="brand">
            <span aria-hidden="true" className="brand-mark">
              ☎
            </span>{" "}
            Switchboard
          </Link>
          {actor ? (
            <>
              <nav aria-label="Main" className="topnav">
                <ul>
                  {actor.isAdmin ? (
                    <li>
                      <NavLink to="/users">Office › Users</NavLink>
                    </li>
                  ) : null}
                  {actor.isAdmin ? (
                    <li>
                      <NavLink to="/company/licenses">Company Settings › Licenses</NavLink>
                    </li>
                  ) : null}
                  {actor.isCompanyAdmin ? (
                    <li>
                      <NavLink to="/company/provisioning">Company Settings › Provisioning</NavLink>
                    </li>
                  ) : null}
                  {actor.isCompanyAdmin ? (
                    <li>
                      <NavLink to="/company/security">Company Settings › Security</NavLink>
                    </li>
                  ) : null}
                  {actor.isAdmin ? (
                    <li>
                      <NavLink to="/audit">Audit log</NavLink>
                    </li>
                  ) : null}
                  <li>
                    <NavLink to="/settings">My settings</NavLink>
                  </li>
                </ul>
              </nav>
              <div className="whoami">
                <span>
                  {actor.name} <span className="muted">· {actor.companyName}</span>
                </span>
                <Form method="post" action="/logout">
                  <CsrfField />
                  <button type="submit" className="button subtle">
                    Sign out
                  </button>
                </Form>
              </div>
            </>
          ) : null}
        </header>
        <div role="status" className="flash-region">
          {root?.flash ? <p className="flash">{root.flash}</p> : null}
        </div>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

/** On every page while proxying: whom the admin acts as, and the way back. */
function ProxyBanner({ name, email }: { name: string; email: string }) {
  return (
    <section className="proxy-banner" aria-label="Proxy login">
      <p role="alert">
        You are proxying as {name} ({email}). Changes you make are applied immediately.
      </p>
      <Form method="post" action="/proxy/end">
        <CsrfField />
        <button type="submit" className="button">
          Back
        </button>
      </Form>
    </section>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  let title = "Something went wrong";
  let message = "An unexpected error occurred. Try again in a moment.";
  if (isRouteErrorResponse(error)) {
    const fromServer = typeof error.data?.message === "string" ? error.data.message : null;
    if (error.status === 404) {
      title = "Not found";
      message = fromServer ?? "This page does not exist, or you do not have access to it.";
    } else if (error.status === 403) {
      title = "Not allowed";
      message = fromServer ?? "You do not have access to this page.";
    } else if (error.status === 503) {
      title = "Temporarily unavailable";
      message = fromServer ?? "Switchboard cannot reach its database right now. Try again in a moment.";
    } else {
      title = `${error.status} ${error.statusText}`;
      message = fromServer ?? message;
    }
  } else if (import.meta.env.DEV && error instanceof Error) {
    message = error.message;
  }
  return (
    <div className="page narrow">
      {/* The route's own meta is not rendered for an error (React hoists this into the head). */}
      <title>{`${title} · Switchboard`}</title>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <Link to="/">Go to the start page</Link>
      </p>
    </div>
  );
}

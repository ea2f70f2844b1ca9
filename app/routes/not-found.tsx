import { data } from "react-router";

// Any URL no other route takes. The loader always throws, so the root
// error boundary renders the page (a component makes this a page route,
// not a resource route that would answer raw data).
export async function loader() {
  throw data({ message: "This page does not exist." }, { status: 404 });
}
export async function action() {
  throw data({ message: "This page does not exist." }, { status: 404 });
}

export default function NotFound() {
  return null;
}

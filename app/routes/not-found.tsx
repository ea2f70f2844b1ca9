import { data } from "react-router";

export async function loader() {
  throw data({ message: "This page does not exist." }, { status: 404 });
}
export async function action() {
  throw data({ message: "This page does not exist." }, { status: 404 });
}

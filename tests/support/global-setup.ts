import { dropServerTemplate } from "./db.ts";

// A run on the server builds its template from the migrations as they are now.
export default async function setup() {
  await dropServerTemplate();
}

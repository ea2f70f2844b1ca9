/** Helpers of the license specs: counts as Company Settings > Licenses shows them. */
import type { Page } from "@playwright/test";

export async function poolCounts(page: Page, category: string, office: string, type: string) {
  await page.goto("/company/licenses");
  const row = page
    .getByRole("region", { name: category, exact: true })
    .getByRole("row")
    .filter({ has: page.getByRole("rowheader", { name: office, exact: true }) })
    .filter({ has: page.getByRole("cell", { name: type, exact: true }) });
  const cells = await row.getByRole("cell").allTextContents();
  return { purchased: Number(cells[2]), assigned: Number(cells[3]), unassigned: Number(cells[4]) };
}

/** What deleting one user or many does with their license seats: the choice both confirmations ask. */
import { RadioGroup, radiosOf } from "./radio-group";
import type { ConfirmFormMeta } from "./review";

export function LicenseChoice({
  form,
  legend,
  many,
}: {
  form: ConfirmFormMeta;
  legend: string;
  many?: boolean;
}) {
  const [license, seat] = many ? ["licenses", "seats"] : ["license", "seat"];
  return (
    <RadioGroup
      {...radiosOf(form.getFieldset().license!, "keep")}
      legend={legend}
      options={[
        {
          value: "keep",
          label: `Keep the ${license}`,
          description: `The ${seat} ${many ? "stay" : "stays"} purchased, now unassigned.`,
        },
        {
          value: "remove",
          label: `Remove the ${license}`,
          description: many ? "One fewer seat purchased for each." : "One fewer seat purchased.",
        },
      ]}
    />
  );
}

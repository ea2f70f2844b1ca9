/**
 * The progress of a job (app/jobs/) while it runs: "Checked 40,000 of
 * 100,000 rows" and a progress bar. Without JavaScript the page refreshes
 * itself every two seconds (a refresh inside <noscript>, which a browser
 * running scripts never reads); with it, the page's data is asked for again
 * every second and the page updates in place. Either stops once the job's
 * page no longer shows this.
 */
import { useEffect } from "react";
import { useRevalidator } from "react-router";

export function JobProgress({
  done,
  total,
  verb,
  noun,
}: {
  done: number;
  total: number;
  verb: string;
  noun: string;
}) {
  const { revalidate } = useRevalidator();
  useEffect(() => {
    const timer = setInterval(() => void revalidate(), 1000);
    return () => clearInterval(timer);
  }, [revalidate]);
  const said = `${verb} ${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} ${noun}`;
  return (
    <div className="panel">
      <noscript>
        <meta httpEquiv="refresh" content="2" />
      </noscript>
      <p role="status" id="job-progress-label">
        {said}
      </p>
      <progress aria-labelledby="job-progress-label" value={done} max={Math.max(total, 1)}>
        {said}
      </progress>
    </div>
  );
}

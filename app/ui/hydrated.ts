import { useSyncExternalStore } from "react";

/** Hydration is the only "change": the server renders false, the browser true. */
const noSubscription = () => () => {};

/** Whether this render is in the browser after hydration (JavaScript on), not on the server or hydrating. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

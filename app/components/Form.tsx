"use client";
/**
 * Every form of the Studio. Until the page is hydrated its fields and buttons are disabled: a
 * click that came before React would otherwise submit the form natively, as a GET that puts what
 * was typed (a password, a connection's secret) into the address bar and the server's logs, and
 * loses the input. After hydration the form only ever submits through `onSubmit`.
 */
import { useEffect, useRef, useSyncExternalStore, type FormHTMLAttributes, type SubmitEvent } from "react";

const noSubscription = () => () => undefined;

/** False in the server's HTML and during hydration, true once React runs the page in the browser. */
export function useHydrated(): boolean {
  return useSyncExternalStore(noSubscription, () => true, () => false);
}

export function Form({ children, onSubmit, ...rest }: FormHTMLAttributes<HTMLFormElement>) {
  const hydrated = useHydrated();
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    // A field asked for focus while it was still disabled: give it focus now.
    if (hydrated && document.activeElement === document.body) ref.current?.querySelector<HTMLElement>("[autofocus]")?.focus();
  }, [hydrated]);
  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    onSubmit?.(event);
  }
  return (
    <form method="post" {...rest} ref={ref} onSubmit={submit} aria-busy={hydrated ? undefined : true}>
      <fieldset disabled={!hydrated} style={{ display: "contents" }}>
        {children}
      </fieldset>
    </form>
  );
}

"use client";
import { useEffect } from "react";

/** Any unexpected error of a page: a plain message and a way to retry, never a blank screen. */
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div className="card" role="alert">
      <h1>Something went wrong on this page</h1>
      <p>{error.message.split("\n")[0] || "An unexpected error happened."}</p>
      <div className="actions">
        <button type="button" onClick={reset}>
          Try again
        </button>
        <a className="button secondary" href="/account">
          Go to your account
        </a>
      </div>
    </div>
  );
}

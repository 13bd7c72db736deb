"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useWallet } from "./Providers";
import { useEarn } from "./EarnProvider";
import { shortAddress } from "./ui";

const LINKS = [
  { href: "/account", label: "Account" },
  { href: "/post", label: "Post" },
  { href: "/queue", label: "Queue" },
  { href: "/my-tasks", label: "My tasks" },
  { href: "/earn", label: "Earn" },
  { href: "/ledger", label: "Ledger" },
] as const;

export function Nav() {
  const path = usePathname();
  const { signer } = useWallet();
  const earning = useEarn().running;
  return (
    <header className="top">
      <Link href="/account" className="brand">
        ComputeCredit
      </Link>
      <nav aria-label="Main">
        <ul>
          {LINKS.map((l) => {
            const current = path === l.href || (l.href === "/queue" && path.startsWith("/tasks/"));
            return (
              <li key={l.href}>
                <Link href={l.href} aria-current={current ? "page" : undefined}>
                  {l.label}
                  {l.href === "/earn" && earning ? (
                    <span className="earning-dot" title="This tab is earning" aria-label="(earning)">
                      {" "}●
                    </span>
                  ) : null}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <span className="who" title={signer?.address}>
        {signer ? `${signer.kind === "burner" ? "burner" : "wallet"} ${shortAddress(signer.address)}` : "no account yet"}
      </span>
    </header>
  );
}

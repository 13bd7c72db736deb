import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { Providers } from "./_components/Providers";
import { Nav } from "./_components/Nav";
import { EarnProvider } from "./_components/EarnProvider";
import { ContractsBanner } from "./_components/ContractsBanner";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "ComputeCredit", template: "%s · ComputeCredit" },
  description: "A browser-based compute marketplace where compute is the currency.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <Providers>
          <EarnProvider>
            <Nav />
            <ContractsBanner />
            <main id="main" tabIndex={-1}>
              {children}
            </main>
          </EarnProvider>
        </Providers>
      </body>
    </html>
  );
}

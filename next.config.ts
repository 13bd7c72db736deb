import type { NextConfig } from "next";

/**
 * The Next.js app lives in `app/` at the repo root. Its TypeScript settings are in tsconfig.app.json
 * (bundler resolution, JSX), so the root tsconfig.json stays the Node/Hardhat one.
 */
const nextConfig: NextConfig = {
  typescript: { tsconfigPath: "tsconfig.app.json" },
  reactStrictMode: true,
  allowedDevOrigins: ["127.0.0.1", "localhost"],
  // The ledger of deployments is read at request time from lib/generated (or NEXT_PUBLIC_CONTRACTS_JSON).
  outputFileTracingIncludes: { "/api/deployments": ["./lib/generated/deployments.json"] },
};

export default nextConfig;

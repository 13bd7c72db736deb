import type { NextConfig } from "next";

/**
 * The Next.js app lives in `app/` at the repo root. Its TypeScript settings are in tsconfig.app.json
 * (bundler resolution, JSX), so the root tsconfig.json stays the Node/Hardhat one.
 */
const nextConfig: NextConfig = {
  typescript: { tsconfigPath: "tsconfig.app.json" },
  reactStrictMode: true,
  // A second stack (the e2e tests) builds into its own folder, so it never collides with a running `npm run dev`.
  distDir: process.env.CC_NEXT_DIST_DIR ?? ".next",
  // The floating dev-tools button covers content on phone-width screens; build errors still show.
  devIndicators: false,
  allowedDevOrigins: ["127.0.0.1", "localhost"],
  experimental: {
    // No on-disk Turbopack cache for `next dev`. With it, a dev server started after a stop (with a source file
    // changed meanwhile, as other work in the checkout does) restored a cache whose main chunk list never settled:
    // every browser's HMR subscription got a "restart" update, which advanced the server's HMR version, so the
    // page's next subscription was refused as "HMR hash mismatch" and the page reloaded, again and again
    // (measured: 37-52 reloads in 30 s per page, stuck on "Loading the contracts…"; none with the cache off).
    // The price: each start compiles the pages it serves afresh (tens of seconds for the first page on 2 cores),
    // and .next/dev stays ~120 MB instead of growing past 800 MB.
    turbopackFileSystemCacheForDev: false,
  },
  logging: {
    // Every open tab polls the deployments; a line per poll drowns what a person reads in the dev log.
    incomingRequests: { ignore: [/^\/api\/deployments\b/, /^\/zk\//] },
  },
  // Cross-origin isolation on every page and file: the earn tab's task workers run libvips (image-resize@2), whose
  // wasm memory is a SharedArrayBuffer, which a browser gives only a cross-origin-isolated page. Every cross-origin
  // request the app makes is a CORS fetch (the IPFS gateway, the chain's RPC), which require-corp lets through;
  // previews are blob: URLs. The one wallet connector is injected(), which opens no popup that COOP would cut off.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          { key: "Cross-Origin-Embedder-Policy", value: "require-corp" },
        ],
      },
    ];
  },
  // The deployments are read at request time from .data/deployments.json (or NEXT_PUBLIC_CONTRACTS_JSON).
  outputFileTracingIncludes: { "/api/deployments": ["./.data/deployments.json"], "/api/relay": ["./.data/deployments.json"] },
};

export default nextConfig;

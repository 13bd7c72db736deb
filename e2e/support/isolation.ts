import type { Page } from "@playwright/test";

/** The page's documents as a server without COOP/COEP would send them: not cross-origin isolated, no SharedArrayBuffer. */
export async function serveWithoutIsolation(page: Page): Promise<void> {
  await page.route("**/", async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers["cross-origin-opener-policy"];
    delete headers["cross-origin-embedder-policy"];
    await route.fulfill({ response, headers });
  });
}

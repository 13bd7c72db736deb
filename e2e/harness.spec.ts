/** The harness server serves node_modules files by path, and nothing outside node_modules. */
import { test, expect } from "@playwright/test";

test("node_modules files are served, paths escaping it are not", async ({ request }) => {
  const wasm = await request.get("/node_modules/@jsquash/png/codec/pkg/squoosh_png_bg.wasm");
  expect(wasm.status()).toBe(200);
  expect(wasm.headers()["content-type"]).toBe("application/wasm");
  for (const path of ["/node_modules/%2e%2e/package.json", "/node_modules/..%2fpackage.json", "/fixtures/image-resize/..%2f..%2f..%2fpackage.json"]) {
    expect((await request.get(path)).status(), path).toBe(404);
  }
  expect((await request.get("/fixtures/image-resize/alpha-200x150.png")).status()).toBe(200);
});

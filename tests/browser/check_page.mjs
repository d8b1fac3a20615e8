// Opens an HTML page in headless Chromium and prints what a test needs to
// know about it as one JSON object on stdout:
//   { console: [...], pageErrors: [...], requests: [...], charts: [...],
//     figures: { key: text }, text }
// Usage: node check_page.mjs PAGE.html SCREENSHOT.png [WIDTH [HEIGHT]]
// The browser is Debian's /usr/bin/chromium (CHROMIUM overrides), started
// with a fresh profile and no background networking (the machine has no
// network; Chromium's own connections would fail loudly otherwise).
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [page_path, screenshot, width = "1000", height = "900"] = process.argv.slice(2);
if (!page_path || !screenshot) {
  console.error("usage: node check_page.mjs PAGE.html SCREENSHOT.png [WIDTH [HEIGHT]]");
  process.exit(2);
}
const page_url = pathToFileURL(resolve(page_path)).href;
const profile = mkdtempSync(join(tmpdir(), "goldpan-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: Number(width), height: Number(height) },
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const result = { console: [], pageErrors: [], requests: [] };
  page.on("console", (m) => result.console.push({ type: m.type(), text: m.text() }));
  page.on("pageerror", (e) => result.pageErrors.push(String(e)));
  page.on("requestfailed", (r) => result.requests.push({ url: r.url(), failed: true }));
  // Every request but the page itself is recorded and refused.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url === page_url) return route.continue();
    result.requests.push({ url });
    return route.abort();
  });
  await page.goto(page_url, { waitUntil: "load" });
  Object.assign(
    result,
    await page.evaluate(() => {
      const charts = [...document.querySelectorAll("svg.chart")].map((svg) => {
        const box = svg.getBoundingClientRect();
        return {
          id: svg.id,
          width: box.width,
          height: box.height,
          shapes: svg.querySelectorAll("rect, path, circle, line").length,
          drawn: [...svg.querySelectorAll("rect, path, circle")].filter((s) => {
            const b = s.getBoundingClientRect();
            return b.width > 0 && b.height > 0;
          }).length,
          title: svg.querySelector("title")?.textContent ?? "",
          desc: svg.querySelector("desc")?.textContent ?? "",
          role: svg.getAttribute("role"),
        };
      });
      const figures = {};
      for (const el of document.querySelectorAll("[data-figure]")) {
        figures[el.dataset.figure] = el.innerText.trim();
      }
      return { charts, figures, text: document.body.innerText };
    }),
  );
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify(result));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

// Drives a real VS Code (code-server) in headless Chromium: opens bad.py, waits for sg-lsp's squiggle and
// its row in the Problems panel, saves a screenshot. Usage: node e2e.js URL SCREENSHOT
const { chromium } = require("playwright-core");

const [url, shot] = process.argv.slice(2);
const EXPECT = "python.pickle-load";

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const checks = [];
  const check = (name, ok, detail) => {
    checks.push(ok);
    console.log(`${ok ? "ok" : "FAIL"} - ${name}${ok || detail === undefined ? "" : `: ${detail}`}`);
  };
  try {
    await page.goto(url, { waitUntil: "domcontentloaded" });
    await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
    await page.waitForSelector(".explorer-folders-view .monaco-list-row", { timeout: 60000 });
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "bad.py" }).first().click();
    await page.waitForSelector('.tab.active[aria-label^="bad.py"]', { timeout: 30000 });
    const squiggle = await page.waitForSelector(".monaco-editor .squiggly-error", { timeout: 90000 })
      .then(() => true, () => false);
    check("an sg-lsp error squiggle appears in bad.py", squiggle);
    await page.keyboard.press("Control+Shift+M");
    const row = page.locator(".markers-panel .monaco-list-row", { hasText: EXPECT });
    const listed = await row.first().waitFor({ timeout: 30000 }).then(() => true, () => false);
    const text = (await page.locator(".markers-panel").innerText().catch(() => "")).replace(/\s+/g, " ").trim();
    console.log("problems panel:", JSON.stringify(text));
    check("the Problems panel lists python.pickle-load from sg-lsp", listed && text.includes("sg-lsp"), text);
    const status = await page.locator(".statusbar-item", { hasText: "sg-lsp" }).first().innerText().catch(() => "");
    check("the status bar shows the server", status.includes("sg-lsp"), status);

    // "Review changes" from the command palette: the mock's finding on the changed line shows as a problem.
    const palette = async (title) => {
      await page.keyboard.press("F1");
      await page.waitForSelector(".quick-input-widget input", { timeout: 30000 });
      await page.keyboard.type(title);
      await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor({ timeout: 30000 });
      await page.keyboard.press("Enter");
    };
    await palette("sg-lsp: Review changes");
    const reviewed = await page.locator(".markers-panel .monaco-list-row", { hasText: "review.deserialization" })
      .first().waitFor({ timeout: 60000 }).then(() => true, () => false);
    const problems = (await page.locator(".markers-panel").innerText().catch(() => "")).replace(/\s+/g, " ").trim();
    check("Review changes shows the review finding (sg-lsp/review)", reviewed && problems.includes("sg-lsp/review"), problems);
    const afterReview = await page.locator(".statusbar-item", { hasText: "sg-lsp" }).first().getAttribute("aria-label").catch(() => "");
    console.log("status bar after the review:", JSON.stringify(afterReview));

    // "Review commit": HEAD's svc.py gets the traced finding and the Markdown report opens in a tab.
    await palette("sg-lsp: Review commit");
    const report = await page.waitForSelector('.tab[aria-label*=".md"]', { timeout: 90000 }).then(() => true, () => false);
    check("Review commit opens the Markdown report", report);
    await page.keyboard.press("Control+Shift+M");
    const traced = await page.locator(".markers-panel .monaco-list-row", { hasText: "review.ssrf" })
      .first().waitFor({ timeout: 60000 }).then(() => true, () => false);
    const all = (await page.locator(".markers-panel").innerText().catch(() => "")).replace(/\s+/g, " ").trim();
    check("Review commit lists the traced finding in svc.py (sg-lsp/commit-review)", traced && all.includes("sg-lsp/commit-review"), all);
  } catch (error) {
    check("the workbench loads and bad.py opens", false, error.message);
  } finally {
    await page.screenshot({ path: shot }).catch(() => {});
    await browser.close();
  }
  const passed = checks.filter(Boolean).length;
  console.log(`${passed} passed, ${checks.length - passed} failed`);
  process.exit(passed === checks.length && checks.length > 0 ? 0 : 1);
})();

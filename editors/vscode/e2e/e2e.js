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

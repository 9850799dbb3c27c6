// The shell every user sees first: home page, sign-in with a mistake, the language switch,
// accessibility, and the first page's weight.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, launch, login, newPage, pageWeight, screenshot, startServer } from "./lib.mjs";

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("home page in Vietnamese, accessible, under 100 KB transferred", async () => {
  const page = await newPage(browser, server.base);
  await page.goto("/");
  assert.equal(await page.getAttribute("html", "lang"), "vi");
  await assert.doesNotReject(page.getByRole("heading", { name: "Chào mừng đến với motcua" }).waitFor());
  assert.match(await page.textContent("main"), /3\.321/);
  await checkAccessibility(page, "home");
  await screenshot(page, "home");
  const bytes = await pageWeight(browser, server.base, "/");
  console.log(`first page weight: ${bytes} bytes transferred`);
  assert.ok(bytes < 100 * 1024, `home page transferred ${bytes} bytes`);
  await page.context().close();
});

test("a wrong password keeps the user name and says why next to the form", async () => {
  const page = await newPage(browser, server.base);
  await page.goto("/dang-nhap");
  await page.getByLabel("Tên đăng nhập").fill("tiepnhan");
  await page.getByLabel("Mật khẩu").fill("sai-mat-khau");
  await page.getByRole("button", { name: "Đăng nhập" }).last().click();
  await assert.doesNotReject(page.locator("#login-error").waitFor());
  assert.equal(await page.getByLabel("Tên đăng nhập").inputValue(), "tiepnhan");
  assert.equal(await page.getByLabel("Tên đăng nhập").getAttribute("aria-invalid"), "true");
  await checkAccessibility(page, "login with an error");
  await login(page, "tiepnhan");
  await page.context().close();
});

test("English is the second language, switched by the header button", async () => {
  const page = await newPage(browser, server.base);
  await page.goto("/dang-nhap");
  await page.getByRole("button", { name: "EN" }).click();
  await assert.doesNotReject(page.getByRole("heading", { name: "Sign in" }).waitFor());
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await page.getByRole("button", { name: "VI" }).click();
  await assert.doesNotReject(page.getByRole("heading", { name: "Đăng nhập" }).waitFor());
  await page.context().close();
});

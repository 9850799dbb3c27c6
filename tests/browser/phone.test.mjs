// Every page on a 390 px phone: nothing wider than the screen (wide tables scroll inside their
// box), a header that folds its menu behind a button, and each role signed in lands on its work.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launch, login, newPage, startServer } from "./lib.mjs";

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const CENTRE = "000.00.01.H38";
const PAGES = {
  "": ["/", "/thu-tuc", "/thu-tuc/1.001193", "/tra-cuu", "/thong-ke", "/dang-nhap", `/boc-so/${CENTRE}`, `/bang-goi-so/${CENTRE}`],
  congdan: ["/cong-dan/ho-so", "/thu-tuc/3.000333/nop", "/tai-khoan", "/tai-khoan/kho-du-lieu"],
  buudien: ["/tai-khoan"],
  tiepnhan: ["/mot-cua", "/mot-cua/tiep-nhan", "/mot-cua/tra-ket-qua", "/mot-cua/so-theo-doi", "/mot-cua/ho-so/{code}", "/mot-cua/boc-so", "/mot-cua/boc-so/thong-ke", "/mot-cua/xac-thuc-tai-khoan", "/tai-khoan", "/xu-ly"],
  chuyenvien: ["/xu-ly"],
  lanhdao: ["/dieu-hanh", "/xu-ly", "/ho-so/{code}"],
  quantri: ["/quan-tri", "/quan-tri/co-quan", "/quan-tri/can-bo", "/quan-tri/thu-tuc", "/quan-tri/lich", "/quan-tri/truy-cap-du-lieu", "/quan-tri/webhook", "/dieu-hanh"],
};
const LANDING = { tiepnhan: "/mot-cua", chuyenvien: "/xu-ly", lanhdao: "/dieu-hanh", quantri: "/quan-tri", congdan: "/", buudien: "/" };

test("every page fits a 390 px phone, and each role lands on its work", async () => {
  // A dossier for the dossier pages.
  const officer = await newPage(browser, server.base, { width: 390, height: 844 });
  await login(officer, "tiepnhan");
  const code = await officer.evaluate(async () => {
    const token = document.querySelector('meta[name="csrf-token"]').content;
    const r = await fetch("/api/v1/dossiers", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": token },
      body: JSON.stringify({
        procedure: "3.000333", agency: "000.00.01.H38", channel: "counter",
        applicant: { name: "Lê Văn Tám", id_number: "038090001234", phone: "0912000111", address: "Phường Hạc Thành, Thanh Hóa" },
      }),
    });
    return (await r.json()).code;
  });
  await officer.context().close();
  for (const [user, paths] of Object.entries(PAGES)) {
    const page = await newPage(browser, server.base, { width: 390, height: 844 });
    if (user) {
      await login(page, user);
      assert.equal(new URL(page.url()).pathname, LANDING[user], `${user} lands on its work`);
    }
    for (const p of paths) {
      const path = p.replace("{code}", code);
      const res = await page.goto(path);
      assert.equal(res.status(), 200, path);
      const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(scroll <= width, `${user || "visitor"}: ${path} fits ${width} px (content ${scroll} px)`);
      const header = await page.evaluate(() => document.querySelector("header.top")?.getBoundingClientRect().height ?? 0);
      assert.ok(header <= 140, `${path}: the header takes ${header} px`);
    }
    await page.context().close();
  }
});

test("on a phone the menu folds behind a button", async () => {
  const page = await newPage(browser, server.base, { width: 390, height: 844 });
  await login(page, "tiepnhan");
  const toggle = page.locator("header.top .menu-toggle");
  assert.equal(await toggle.isVisible(), true);
  assert.equal(await page.locator("#main-nav").isVisible(), false);
  await toggle.click();
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  await page.locator("#main-nav a[href='/xu-ly']").click();
  await page.waitForURL(/\/xu-ly/);
  await page.context().close();
  // On a desktop the menu is always there.
  const wide = await newPage(browser, server.base, { width: 1366, height: 900 });
  await wide.goto("/");
  assert.equal(await wide.locator("header.top .menu-toggle").isVisible(), false);
  assert.equal(await wide.locator("#main-nav").isVisible(), true);
  await wide.context().close();
});

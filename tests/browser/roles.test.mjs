// Each role sees its own pages and is refused the pages of the others, in the browser: a
// Vietnamese 403 page for a signed-in user, the sign-in page for a visitor.
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

const AREAS = {
  citizen: "/cong-dan/ho-so",
  counter: "/mot-cua",
  workspace: "/xu-ly",
  operations: "/dieu-hanh",
  admin: "/quan-tri",
};

// Who may open which area (a leader also works the queue; an administrator sees the operations view).
const ROLES = {
  congdan: ["citizen"],
  tiepnhan: ["counter", "workspace"],
  chuyenvien: ["workspace"],
  lanhdao: ["workspace", "operations"],
  quantri: ["operations", "admin"],
};

for (const [user, allowed] of Object.entries(ROLES)) {
  test(`${user}: own pages open, the other roles' pages are refused`, async () => {
    const page = await newPage(browser, server.base);
    await login(page, user);
    for (const [area, path] of Object.entries(AREAS)) {
      const res = await page.goto(path);
      if (allowed.includes(area)) {
        assert.equal(res.status(), 200, `${user} opens ${path}`);
        assert.equal(await page.locator("nav a[href='" + path + "']").count() > 0 || area === "citizen", true);
      } else {
        assert.equal(res.status(), 403, `${user} is refused ${path}`);
        assert.match(await page.textContent("main"), /Không có quyền truy cập/);
      }
    }
    await page.context().close();
  });
}

test("a visitor is sent to sign in, and comes back after signing in", async () => {
  const page = await newPage(browser, server.base);
  for (const path of Object.values(AREAS)) {
    await page.goto(path);
    assert.match(page.url(), /\/dang-nhap\?next=/, path);
  }
  await page.goto("/xu-ly");
  await page.getByLabel("Tên đăng nhập").fill("chuyenvien");
  await page.getByLabel("Mật khẩu").fill("motcua-demo");
  await page.getByRole("button", { name: "Đăng nhập" }).last().click();
  await page.waitForURL("**/xu-ly");
  await page.context().close();
});

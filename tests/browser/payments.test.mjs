// Paying a fee online in the browser (#23), on the demo data with its fake VNPAY: a citizen
// submits online, the one-stop officer receives the dossier with its fee, the citizen pays from
// "Hồ sơ của tôi" at the gateway's page, comes back to the outcome and downloads the receipt.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkAccessibility, launch, login, newPage, screenshot, startServer } from "./lib.mjs";

const PROCEDURE = "3.000333";

let server, browser, pdf;
before(async () => {
  server = await startServer();
  browser = await launch();
  const dir = mkdtempSync(join(tmpdir(), "motcua-upload-"));
  pdf = join(dir, "to-khai.pdf");
  writeFileSync(
    pdf,
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
  );
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("a citizen pays the fee online and downloads the receipt", async () => {
  const citizen = await newPage(browser, server.base, { width: 390, height: 844 });
  await login(citizen, "congdan", `/thu-tuc/${PROCEDURE}/nop`);
  await citizen.locator("#phone").fill("0912345678");
  for (const input of await citizen.locator("input[type=file]").all()) {
    await input.setInputFiles(pdf);
  }
  await Promise.all([citizen.waitForLoadState("load"), citizen.locator("#submit-button").click()]);
  const code = (await citizen.textContent("#dossier-code")).trim();
  assert.match(code, /000\.00\.01\.H38-\d{6}-\d{4}/);

  // The officer receives it with its fee.
  const officer = await newPage(browser, server.base);
  await login(officer, "tiepnhan", `/mot-cua/ho-so/${code}`);
  await officer.locator("#fee").fill("200000");
  await officer.locator("form[action$='/kiem-tra'] button", { hasText: /Tiếp nhận/ }).first().click();
  await officer.waitForLoadState("load");
  assert.match(await officer.textContent("main"), /Đã tiếp nhận/);

  // The citizen pays from "Hồ sơ của tôi".
  await citizen.goto("/cong-dan/ho-so");
  await citizen.locator(`a.pay-link[href="/thanh-toan/${code}"]`).click();
  await citizen.waitForURL(`**/thanh-toan/${code}`);
  assert.equal(await citizen.locator("#payment-status").getAttribute("data-status"), "due");
  assert.match(await citizen.textContent("#amount-due"), /200\.000/);
  // Or by bank transfer: the VietQR with the dossier code as the content.
  assert.equal(await citizen.locator("#vietqr svg").count(), 1);
  assert.equal((await citizen.textContent("#transfer-content")).trim(), code);
  await checkAccessibility(citizen, "payment page");
  await screenshot(citizen, "payment-due");
  await Promise.all([citizen.waitForURL(/\/truc-tuyen$/), citizen.locator("#pay-online").click()]);
  await Promise.all([citizen.waitForURL(/vpcpay\.html/), citizen.locator("#to-gateway").click()]);
  assert.match(await citizen.textContent("#amount"), /200000/);
  await Promise.all([
    citizen.waitForURL(/\/thanh-toan\/ket-qua/),
    citizen.getByRole("button", { name: "Thanh toán", exact: true }).click(),
  ]);
  assert.equal(await citizen.locator("#payment-status").getAttribute("data-status"), "paid");
  assert.match(await citizen.textContent("#gateway-message"), /Giao dịch thành công/);
  await screenshot(citizen, "payment-returned");
  await citizen.locator("#payment-link").click();
  await citizen.waitForURL(`**/thanh-toan/${code}`);
  await citizen.locator("#receipt-link").click();
  await citizen.waitForURL(`**/thanh-toan/${code}/bien-lai`);
  const receipt = await citizen.textContent("body");
  assert.match(receipt, /BIÊN LAI THU PHÍ, LỆ PHÍ/);
  assert.match(receipt, /0000001/);
  assert.match(receipt, /Hai trăm nghìn đồng/);
  assert.match(receipt, /Thanh toán trực tuyến/);
  await screenshot(citizen, "payment-receipt");

  // The desk sees it paid.
  await officer.goto(`/thanh-toan/${code}`);
  assert.equal(await officer.locator("#payment-status").getAttribute("data-status"), "paid");
  assert.equal(await officer.locator("#counter-form").count(), 0);
});

test("the desk changes the fee due with a reason, and the page shows the change", async () => {
  const citizen = await newPage(browser, server.base);
  await login(citizen, "congdan", `/thu-tuc/${PROCEDURE}/nop`);
  await citizen.locator("#phone").fill("0912345678");
  for (const input of await citizen.locator("input[type=file]").all()) {
    await input.setInputFiles(pdf);
  }
  await Promise.all([citizen.waitForLoadState("load"), citizen.locator("#submit-button").click()]);
  const code = (await citizen.textContent("#dossier-code")).trim();

  const officer = await newPage(browser, server.base, { width: 390, height: 844 });
  await login(officer, "tiepnhan", `/mot-cua/ho-so/${code}`);
  await officer.locator("#fee").fill("200000");
  await officer.locator("form[action$='/kiem-tra'] button", { hasText: /Tiếp nhận/ }).first().click();
  await officer.waitForLoadState("load");

  await officer.goto(`/thanh-toan/${code}`);
  assert.match(await officer.textContent("#amount-due"), /200\.000/);
  const form = officer.locator("#adjust-form");
  assert.equal(await form.isVisible(), true, "the form is on the page, not in its title");
  assert.equal(await officer.locator("#adjustments").count(), 0);
  // Without a reason the browser does not send it.
  await form.locator("input[name=amount_0]").fill("150000");
  await form.locator("#adjust-submit").click();
  assert.equal(new URL(officer.url()).pathname, `/thanh-toan/${code}`);
  assert.equal(await officer.locator("#adjustments").count(), 0);
  await form.locator("textarea[name=reason]").fill("Giảm 25% theo Thông tư 106/2021/TT-BTC");
  await Promise.all([officer.waitForLoadState("load"), form.locator("#adjust-submit").click()]);
  await officer.waitForSelector("#adjustments");
  assert.match(await officer.textContent("#amount-due"), /150\.000/);
  const history = await officer.textContent("#adjustments");
  assert.match(history, /200\.000/);
  assert.match(history, /150\.000/);
  assert.match(history, /Thông tư 106\/2021\/TT-BTC/);
  const [scroll, width] = await officer.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `the payment page fits ${width} px (content ${scroll} px)`);
  await checkAccessibility(officer, "payment page with the fee form");
  await screenshot(officer, "payment-adjusted");

  // The citizen sees the new amount, and no form.
  await citizen.goto(`/thanh-toan/${code}`);
  assert.match(await citizen.textContent("#amount-due"), /150\.000/);
  assert.equal(await citizen.locator("#adjust-form").count(), 0);
});

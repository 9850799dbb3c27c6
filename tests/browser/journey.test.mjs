// The whole life of a dossier through the web UI, as its users live it, on the demo data:
// a citizen submits online; the one-stop officer checks and receives it, prints the receipt and
// forwards it to the Department of Justice; a specialist takes and completes the step; a leader
// approves; the result is recorded and returned at the desk; the citizen looks it up and rates
// the service. Also a dossier received at the counter for a walk-in citizen, and the leader's
// dashboard. Screenshots of each main page go to docs/screenshots/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkAccessibility, launch, login, newPage, screenshot, startServer } from "./lib.mjs";

// A criminal-record certificate (Phiếu Lý lịch tư pháp), a provincial procedure the demo's
// service centre takes.
const PROCEDURE = "3.000333";
const DEPARTMENT = "000.00.02.H38";

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

/** Submits the action form `action` on the officers' dossier page and waits for the notice. */
async function act(page, code, action, fill = async () => {}) {
  await page.goto(`/ho-so/${code}`);
  const form = page.locator(`#form-${action}`);
  await assert.doesNotReject(form.waitFor({ state: "attached" }), `action ${action} offered on ${code}`);
  // Each action sits in a <details>: open it as an officer would.
  const details = page.locator(`#action-${action}`);
  if (!(await details.evaluate((d) => d.open))) await details.locator("summary").click();
  await fill(form);
  await Promise.all([page.waitForURL(new RegExp(`/ho-so/${code.replace(/\./g, "\\.")}`)), form.locator("button[type=submit]").click()]);
  const body = await page.textContent("main");
  assert.doesNotMatch(body, /field-error|Không thực hiện được/, `action ${action}: ${body.slice(0, 400)}`);
}

test("online submission to returned result and rating, every role in the browser", async () => {
  // 1. The citizen finds the procedure typing without diacritics and submits online.
  const citizen = await newPage(browser, server.base, { width: 412, height: 915 });
  await login(citizen, "congdan", "/thu-tuc");
  await citizen.locator("#q").fill("ly lich tu phap");
  await citizen.locator("#q").press("Enter");
  await citizen.getByRole("link", { name: /Cấp Phiếu Lý lịch tư pháp cho công dân Việt Nam/ }).first().click();
  await assert.doesNotReject(citizen.getByRole("heading", { name: /Lý lịch tư pháp/ }).first().waitFor());
  await screenshot(citizen, "portal-procedure");
  await checkAccessibility(citizen, "procedure page");
  await citizen.getByRole("link", { name: "Nộp hồ sơ trực tuyến" }).first().click();
  await citizen.waitForURL(`**/thu-tuc/${PROCEDURE}/nop`);
  // The account is bound to the citizen's ID number: the form carries it, read-only.
  assert.equal(await citizen.locator("#id_number").inputValue(), "038190004321");
  assert.equal(await citizen.locator("#id_number").getAttribute("readonly"), "");
  await citizen.locator("#phone").fill("0912345678");
  for (const input of await citizen.locator("input[type=file]").all()) {
    await input.setInputFiles(pdf);
  }
  await checkAccessibility(citizen, "online submission form");
  await Promise.all([citizen.waitForLoadState("load"), citizen.locator("#submit-button").click()]);
  const confirmation = await citizen.textContent("main");
  const code = confirmation.match(/000\.00\.01\.H38-\d{6}-\d{4}/)?.[0];
  assert.ok(code, `a dossier code on the confirmation: ${confirmation.slice(0, 300)}`);
  assert.match(confirmation, /Chờ tiếp nhận/);
  await screenshot(citizen, "portal-submitted");

  // 2. The one-stop officer sees it waiting for the check, receives it and prints the receipt.
  const officer = await newPage(browser, server.base);
  await login(officer, "tiepnhan", "/mot-cua");
  assert.match(await officer.textContent("main"), new RegExp(code.replace(/\./g, "\\.")));
  await screenshot(officer, "counter-desk");
  await officer.goto(`/mot-cua/ho-so/${code}`);
  await officer.locator("form[action$='/kiem-tra'] button", { hasText: /Tiếp nhận/ }).first().click();
  await officer.waitForLoadState("load");
  assert.match(await officer.textContent("main"), /Đã tiếp nhận/);
  await officer.goto(`/mot-cua/ho-so/${code}/in/receipt`);
  const receipt = await officer.textContent("body");
  assert.match(receipt, new RegExp(code.replace(/\./g, "\\.")));
  assert.match(receipt, /GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ/i);
  await screenshot(officer, "receipt");
  // Forwarded by the agency's name, from a list (no code to know).
  await act(officer, code, "forward", async (f) => {
    const to = f.locator("select[name=to]");
    const label = (await to.locator("option", { hasText: "Sở Tư pháp" }).first().textContent()).trim();
    await to.selectOption({ label });
    assert.equal(await to.inputValue(), DEPARTMENT, `"${label}" is the Department of Justice`);
  });

  // 3. The specialist finds it in the queue, takes the step and completes it.
  const specialist = await newPage(browser, server.base);
  await login(specialist, "chuyenvien", "/xu-ly?tab=agency");
  assert.match(await specialist.textContent("main"), new RegExp(code.replace(/\./g, "\\.")));
  await screenshot(specialist, "workspace-queue");
  await act(specialist, code, "assign_step", async (f) => {
    await f.locator("select[name=assignee]").selectOption({ label: "Trần Văn Đức" });
    // Dates are typed day first, as written in Vietnam (no browser date picker).
    const due = f.locator("input[name=due]");
    assert.equal(await due.getAttribute("placeholder"), "dd/mm/yyyy");
    const [y, m, d] = new Date(Date.now() + 3 * 86400_000).toISOString().slice(0, 10).split("-");
    await due.fill(`${d}/${m}/${y}`);
  });
  await specialist.goto(`/ho-so/${code}`);
  await screenshot(specialist, "dossier-page");
  await checkAccessibility(specialist, "dossier page");
  assert.equal(await specialist.locator("#form-approve").count(), 0, "a specialist is not offered approval");

  // 3b. A paper is missing: the specialist asks for it, the citizen sends it online from the
  // dossier's page, and the dossier is back in the specialist's hands.
  await act(specialist, code, "request_supplement", async (f) => {
    await f.locator("textarea[name=reason]").fill("Bản chụp căn cước không rõ");
    await f.locator("textarea[name=missing]").fill("Bản chụp Căn cước rõ nét");
  });
  await citizen.goto(`/tra-cuu/${code}`);
  await citizen.locator("#supplement-file-0").setInputFiles(pdf);
  await citizen.locator("#supplement-note").fill("Gửi lại bản chụp rõ nét");
  await Promise.all([citizen.waitForURL(/da_bo_sung=1/), citizen.locator("#supplement-submit").click()]);
  assert.ok(await citizen.locator("#supplement-sent").isVisible(), "the supplement is acknowledged");
  await specialist.goto(`/ho-so/${code}`);
  assert.match(await specialist.textContent("main"), /Bản chụp Căn cước rõ nét/);
  await act(specialist, code, "complete_step");

  // 4. The leader approves.
  const leader = await newPage(browser, server.base);
  await login(leader, "lanhdao");
  await act(leader, code, "approve");

  // 5. The result is recorded and returned at the desk.
  for (const who of [leader, specialist, officer]) {
    await who.goto(`/ho-so/${code}`);
    if ((await who.locator("#form-record_result").count()) > 0) {
      await act(who, code, "record_result", async (f) => {
        const number = f.locator("input[name=result_code]");
        if (await number.count()) await number.fill("LLTP-2026-0001");
        // The electronic result, signed file attached.
        await f.locator("input[name=file]").setInputFiles(pdf);
      });
      break;
    }
  }
  await officer.goto("/mot-cua/tra-ket-qua");
  const row = officer.locator("form", { has: officer.locator(`input[value='${code}'], [data-code='${code}']`) });
  const returnForm = (await row.count()) > 0 ? row.first() : officer.locator(`form[action$='/tra-ket-qua/${code}']`);
  await assert.doesNotReject(returnForm.waitFor(), "the dossier is among the results to return");
  await screenshot(officer, "counter-returns");
  // The applicant collects it in person: the officer types the ID number from the card.
  await returnForm.locator("input[name=collector_id]").fill("038190004321");
  const amount = returnForm.locator("input[name=amount]");
  if (await amount.count()) {
    const due = await amount.inputValue();
    if (!due) await amount.fill("0");
  }
  await Promise.all([officer.waitForLoadState("load"), returnForm.locator("button[type=submit]").click()]);
  assert.doesNotMatch(await officer.textContent("main"), /field-error/);

  // 6. The citizen looks it up (the receipt's QR leads here) and rates the service once.
  await citizen.goto(`/tra-cuu/${code}`);
  assert.match(await citizen.textContent("main"), /Đã trả kết quả/);
  // The result's number and its electronic copy, downloaded by its owner.
  assert.equal((await citizen.locator("#result-code").textContent()).trim(), "LLTP-2026-0001");
  const href = await citizen.locator("#result-download").getAttribute("href");
  const download = await citizen.request.get(href);
  assert.equal(download.status(), 200);
  assert.ok((await download.body()).subarray(0, 5).toString() === "%PDF-", "the result file itself");
  await checkAccessibility(citizen, "look-up page");
  await citizen.getByLabel("Hài lòng", { exact: true }).check();
  await Promise.all([citizen.waitForLoadState("load"), citizen.locator("form[action$='/danh-gia'] button[type=submit]").click()]);
  const after = await citizen.textContent("main");
  assert.match(after, /Cảm ơn|đã đánh giá/i);
  assert.equal(await citizen.locator("form[action$='/danh-gia']").count(), 0, "rated once only");
  await screenshot(citizen, "portal-lookup");
  for (const p of [citizen, officer, specialist, leader]) await p.context().close();
});

test("a walk-in citizen is received at the counter in one form, and the receipt prints", async () => {
  const officer = await newPage(browser, server.base);
  await login(officer, "tiepnhan", "/mot-cua/tiep-nhan");
  await officer.locator("#procedure-q").fill("ly lich tu phap");
  await officer.locator("#procedure-q").press("Enter");
  await officer.getByText(/Cấp Phiếu Lý lịch tư pháp cho công dân Việt Nam/).first().click();
  await assert.doesNotReject(officer.locator("#intake-form").waitFor());
  // A mistake first: a CCCD of 11 digits; the message sits next to the field, input kept.
  // The scan is chosen before the mistake is found: it is kept, not chosen again.
  await officer.locator("#name").fill("Lê Thị Bình");
  await officer.locator("#id_number").fill("03819000432");
  await officer.locator("#scan-3").setInputFiles(pdf);
  await officer.locator("#intake-form button[type=submit]").first().click();
  await officer.waitForLoadState("load");
  assert.equal(await officer.locator("#id_number").getAttribute("aria-invalid"), "true");
  assert.equal(await officer.locator("#name").inputValue(), "Lê Thị Bình");
  assert.match(await officer.locator("#kept-3").textContent(), /Đã giữ bản quét: to-khai\.pdf/);
  assert.equal(await officer.locator("#rescan").count(), 0, "nothing to choose again");
  await officer.locator("#id_number").fill("038190004322");
  for (const box of await officer.locator("#intake-form input[type=checkbox][name=comp]").all()) await box.check();
  await screenshot(officer, "counter-intake");
  await officer.locator("#intake-form button[type=submit]").first().click();
  await officer.waitForLoadState("load");
  const page = await officer.textContent("main");
  const code = page.match(/000\.00\.01\.H38-\d{6}-\d{4}/)?.[0];
  assert.ok(code, page.slice(0, 400));
  assert.match(page, /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/, "the appointment, dd/mm/yyyy HH:MM");
  await officer.goto(`/ho-so/${code}`);
  assert.equal(await officer.locator("#documents tbody tr").count(), 1, "the kept scan is attached");
  await officer.goto(`/mot-cua/ho-so/${code}/in/receipt`);
  assert.match(await officer.textContent("body"), new RegExp(code.replace(/\./g, "\\.")));
  await officer.emulateMedia({ media: "print" });
  const pdfBytes = await officer.pdf({ format: "A4" });
  assert.ok(pdfBytes.length > 1000, "the receipt prints to A4");
  await officer.context().close();
});

test("the leader's operations view and the public statistics page", async () => {
  const leader = await newPage(browser, server.base, { width: 1600, height: 1000 });
  await login(leader, "lanhdao", "/dieu-hanh");
  assert.ok((await leader.locator("svg[role=img]").count()) >= 2, "server-drawn charts");
  await checkAccessibility(leader, "operations view");
  await screenshot(leader, "dashboard");
  await leader.goto("/thong-ke");
  assert.match(await leader.textContent("main"), /Thanh Hóa/);
  await screenshot(leader, "public-stats");
  await leader.context().close();
});

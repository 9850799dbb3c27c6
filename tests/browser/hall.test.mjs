// The counter hall (bốc số) in the browser: a person takes a ticket at the kiosk (a phone-sized
// touch screen), the hall's display board follows the counter's call live (server-sent events,
// no reload), the ticket's own page tells where to go, the officer receives the dossier and
// closes the ticket linked to it. Every hall page fits a 390 px phone.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, launch, login, newPage, screenshot, startServer } from "./lib.mjs";

const CENTRE = "000.00.01.H38";
let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function fitsWidth(page, what) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `${what} fits ${width} px (content is ${scroll} px wide)`);
}

test("kiosk → counter call → display board → dossier", async () => {
  // The hall's screen, wide.
  const board = await newPage(browser, server.base, { width: 1366, height: 768 });
  await board.goto(`/bang-goi-so/${CENTRE}`);
  assert.equal(await board.locator("#now-number").textContent(), "—");
  await board.waitForFunction(() => document.getElementById("board").dataset.updated);

  // The kiosk, phone-sized; the ticket page would print itself: printing is a no-op here.
  const kiosk = await newPage(browser, server.base, { width: 390, height: 844 });
  await kiosk.addInitScript(() => {
    window.print = () => {
      window.printed = true;
    };
  });
  await kiosk.goto(`/boc-so/${CENTRE}`);
  await fitsWidth(kiosk, "the kiosk");
  await checkAccessibility(kiosk, "kiosk");
  await screenshot(kiosk, "hall-kiosk");
  await Promise.all([kiosk.waitForURL(/\/boc-so\/ve\//), kiosk.locator("#area-A").click()]);
  assert.equal(await kiosk.locator("#ticket-number").textContent(), "A001");
  assert.equal(await kiosk.locator("#ticket-ahead").textContent(), "0");
  assert.equal(await kiosk.evaluate(() => window.printed), true, "the kiosk prints the new ticket");
  assert.equal(await kiosk.locator(".ticket-qr svg").count(), 1);
  await fitsWidth(kiosk, "the ticket");
  await checkAccessibility(kiosk, "ticket");
  await screenshot(kiosk, "hall-ticket");
  const ticketUrl = new URL(kiosk.url()).pathname;
  // The board counts the person waiting, without a reload.
  await board.locator("#board-areas tr").first().locator("td.num", { hasText: "1" }).waitFor();

  // Counter 1 calls the next number.
  const officer = await newPage(browser, server.base, { width: 1366, height: 900 });
  await login(officer, "tiepnhan", "/mot-cua/boc-so");
  await officer.goto("/mot-cua/boc-so?quay=1");
  await Promise.all([officer.waitForLoadState("load"), officer.locator("#call-next").click()]);
  assert.equal(await officer.locator("#current-number").textContent(), "A001");
  assert.match(await officer.locator("#notice").textContent(), /Đã gọi số A001 đến quầy 1/);

  // The board shows it by its event stream: the page was not reloaded.
  await board.waitForFunction(() => document.getElementById("now-number").textContent === "A001");
  assert.equal(await board.locator("#now-counter").textContent(), "1");
  await checkAccessibility(board, "display board");
  await screenshot(board, "hall-board");
  // The ticket's page tells the person where to go.
  await kiosk.goto(ticketUrl);
  assert.match(await kiosk.locator("#ticket-state").textContent(), /Mời đến quầy số 1/);

  // The officer receives the dossier (the API, as the intake page does), then closes the
  // ticket: the code just received is proposed.
  const code = await officer.evaluate(async () => {
    const token = document.querySelector('meta[name="csrf-token"]').content;
    const r = await fetch("/api/v1/dossiers", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": token },
      body: JSON.stringify({
        procedure: "3.000333",
        agency: "000.00.01.H38",
        channel: "counter",
        applicant: { name: "Lê Văn Tám", id_number: "038090001234", phone: "0912000111", address: "Phường Hạc Thành, Thanh Hóa" },
      }),
    });
    return (await r.json()).code;
  });
  assert.match(code, /^000\.00\.01\.H38-\d{6}-\d{4}$/);
  await officer.goto("/mot-cua/boc-so?quay=1");
  assert.equal(await officer.locator("#ho_so").inputValue(), code);
  await checkAccessibility(officer, "counter screen");
  await Promise.all([officer.waitForLoadState("load"), officer.locator("#finish-done").click()]);
  assert.match(await officer.locator("#notice").textContent(), new RegExp(`Số A001: đã phục vụ, hồ sơ ${code.replaceAll(".", "\\.")}`));
  await kiosk.goto(ticketUrl);
  assert.equal(await kiosk.locator(`#ticket-state a[href='/tra-cuu/${code}']`).count(), 1, "the ticket links to its dossier");

  // The officer's hall pages fit a phone too.
  const phone = await newPage(browser, server.base, { width: 390, height: 844 });
  await login(phone, "tiepnhan", "/mot-cua/boc-so");
  for (const path of ["/mot-cua/boc-so", "/mot-cua/boc-so/thong-ke", "/mot-cua/boc-so/khu-vuc", `/bang-goi-so/${CENTRE}`]) {
    await phone.goto(path);
    await fitsWidth(phone, path);
  }
  assert.equal(await phone.locator("#now-number").textContent(), "A001");
  for (const p of [board, kiosk, officer, phone]) await p.context().close();
});

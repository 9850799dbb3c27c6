// Citizen feedback on a phone: an anonymous person sends a photo and a place from a 390 px
// screen, a leader takes the report through its acts on a desktop, and the person follows it
// by code to the published answer, shown with the photo on the public page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkAccessibility, launch, login, newPage, screenshot, startServer } from "./lib.mjs";

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A real PNG (signature, IHDR, zlib IDAT, IEND with CRCs): a street-grey picture with a pothole. */
function png(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(typed));
    return Buffer.concat([len, typed, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = [0];
    for (let x = 0; x < width; x++) {
      const d = Math.hypot(x - width / 2, y - height / 2);
      const v = d < height / 4 ? 60 : 150;
      row.push(v, v, v + 10);
    }
    rows.push(Buffer.from(row));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("tEXt", Buffer.from("Comment\0taken at home")),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

test("a photo sent from a phone is followed by its code to the published answer", async () => {
  const dir = mkdtempSync(join(tmpdir(), "motcua-photo-"));
  const photo = join(dir, "o-ga.png");
  writeFileSync(photo, png(160, 120));

  const phone = await newPage(browser, server.base, { width: 390, height: 844 });
  await phone.goto("/phan-anh/gui");
  await phone.getByLabel("Tiêu đề").fill("Ổ gà lớn trên đường Lê Lợi");
  await phone.getByLabel("Nội dung phản ánh, kiến nghị").fill("Ổ gà sâu trước số 25 đường Lê Lợi, xe máy dễ ngã khi trời mưa.");
  await phone.locator("#fb-photo").setInputFiles(photo);
  await phone.getByLabel("Mã xã, phường").fill("14797");
  await phone.getByLabel("Vĩ độ").fill("19.8075");
  await phone.getByLabel("Kinh độ").fill("105.775");
  await phone.getByLabel("Số điện thoại").fill("0912345678");
  await checkAccessibility(phone, "the feedback form");
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the form fits a 390 px screen (${wide} px)`);
  await Promise.all([phone.waitForLoadState("load"), phone.locator("#fb-submit").click()]);
  const code = (await phone.locator("#feedback-code").textContent()).trim();
  assert.match(code, /^PA\d{6}-[A-Z2-9]{6}$/);

  // A leader of the province takes it through its acts on a desktop.
  const desk = await newPage(browser, server.base, { width: 1366, height: 900 });
  await login(desk, "lanhdao", `/xu-ly/phan-anh/${code}`);
  await desk.goto(`/xu-ly/phan-anh/${code}`);
  assert.match(await desk.locator("#contact").textContent(), /0912345678/);
  await Promise.all([desk.waitForLoadState("load"), desk.getByRole("button", { name: "Tiếp nhận", exact: true }).click()]);
  await desk.getByLabel("Dự thảo trả lời").fill("UBND phường đã vá ổ gà ngày 06/12/2026; mặt đường đã an toàn.");
  await Promise.all([desk.waitForLoadState("load"), desk.getByRole("button", { name: "Lưu dự thảo" }).click()]);
  await Promise.all([desk.waitForLoadState("load"), desk.getByRole("button", { name: "Duyệt trả lời" }).click()]);
  await Promise.all([desk.waitForLoadState("load"), desk.getByRole("button", { name: "Công khai kết quả" }).click()]);
  assert.match(await desk.locator("#feedback-status").textContent(), /Đã công khai/);

  // The person follows the code from the phone: the answer, the photo, never the phone number.
  await phone.goto("/phan-anh");
  await phone.getByLabel("Theo dõi phản ánh của bạn bằng mã").fill(code);
  await Promise.all([phone.waitForLoadState("load"), phone.getByRole("button", { name: "Xem" }).click()]);
  assert.match(await phone.locator("#feedback-status").textContent(), /Đã công khai/);
  assert.match(await phone.locator("main").textContent(), /đã vá ổ gà/);
  assert.doesNotMatch(await phone.content(), /0912345678/);
  const loaded = await phone.locator(".feedback-photos img").evaluate((img) => img.complete && img.naturalWidth);
  assert.equal(loaded, 160, "the photo shows");
  const wide2 = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide2 <= 390, `the follow page fits a 390 px screen (${wide2} px)`);
  await screenshot(phone, "feedback-follow-phone");

  // The public page of published answers, on a desktop.
  const pub = await newPage(browser, server.base, { width: 1366, height: 900 });
  await pub.goto("/phan-anh");
  await assert.doesNotReject(pub.locator(`#fb-${code}`).waitFor());
  assert.match(await pub.locator(`#fb-${code} .place`).textContent(), /19\.807500, 105\.775000/);
  await checkAccessibility(pub, "the published answers");
  await screenshot(pub, "feedback-public");
  for (const p of [phone, desk, pub]) await p.context().close();
});

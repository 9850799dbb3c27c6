// Single sign-on in the browser (#20): a citizen opens the online form of a procedure, is sent
// to sign in, chooses the identity provider (a real OpenID Connect provider, the npm package
// oidc-provider of tests/oidc, configured through MOTCUA_OIDC), signs in and consents there, and
// comes back to the form filled from the verified identity (name, ID number, address), which
// they submit.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkAccessibility, freePort, launch, newPage, screenshot, startServer } from "./lib.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// A criminal-record certificate, a procedure the demo's service centre takes online.
const PROCEDURE = "3.000333";
const PERSON = {
  name: "Phạm Thị Hoa",
  id_number: "001190000777",
  birthdate: "1990-07-07",
  address: { formatted: "25 Lê Lợi, phường Hạc Thành, Thanh Hóa" },
};

let server, browser, op, pdf;

/** Starts the provider for motcua at `base`; resolves with its issuer. */
function startProvider(base) {
  op = spawn("node", ["provider.mjs"], {
    cwd: join(root, "tests", "oidc"),
    env: {
      ...process.env,
      PORT: "0",
      CLIENT_ID: "motcua",
      CLIENT_SECRET: "bi-mat-cua-motcua",
      REDIRECT_URIS: `${base}/dang-nhap/sso/vneid/callback`,
      POST_LOGOUT_URI: `${base}/`,
      ACCOUNTS: JSON.stringify({ hoa: PERSON }),
    },
    stdio: ["ignore", "pipe", "ignore"],
  });
  return new Promise((ok, fail) => {
    let out = "";
    op.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/issuer (\S+)/);
      if (m) ok(m[1]);
    });
    op.once("exit", (c) => fail(new Error(`the provider exited (${c})`)));
  });
}

before(async () => {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const issuer = await startProvider(base);
  server = await startServer({
    port,
    env: {
      MOTCUA_PUBLIC_URL: base,
      MOTCUA_OIDC: `[{id="vneid", name="VNeID", issuer="${issuer}", client_id="motcua", client_secret="bi-mat-cua-motcua", audience="citizen", scopes=["profile", "address", "id_number"]}]`,
    },
  });
  browser = await launch();
  pdf = join(mkdtempSync(join(tmpdir(), "motcua-upload-")), "to-khai.pdf");
  writeFileSync(
    pdf,
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
  );
});
after(async () => {
  await browser?.close();
  await server?.stop();
  op?.kill();
});

test("a citizen signs in through the identity provider and submits the form it filled", async () => {
  const page = await newPage(browser, server.base, { width: 390, height: 844 });
  await page.goto(`/thu-tuc/${PROCEDURE}/nop`);
  await page.waitForURL(/\/dang-nhap\?next=/);
  await checkAccessibility(page, "login page with a provider");
  await screenshot(page, "login-sso");
  await page.getByRole("link", { name: "VNeID" }).click();

  // At the provider: its own login page, then its consent page.
  await page.locator('input[name="login"]').fill("hoa");
  await page.locator('input[name="password"]').fill("bat-ky");
  await Promise.all([page.waitForLoadState("load"), page.locator('button[type="submit"]').first().click()]);
  await Promise.all([
    page.waitForURL(`**/thu-tuc/${PROCEDURE}/nop`),
    page.locator('button[type="submit"]').first().click(),
  ]);

  // Back at motcua, signed in, on the form filled from the verified identity.
  assert.equal(await page.locator("#name").inputValue(), PERSON.name);
  assert.equal(await page.locator("#id_number").inputValue(), PERSON.id_number);
  assert.equal(await page.locator("#id_number").getAttribute("readonly"), "");
  assert.equal(await page.locator("#address").inputValue(), PERSON.address.formatted);
  await page.locator("#phone").fill("0912345678");
  for (const input of await page.locator("input[type=file]").all()) {
    await input.setInputFiles(pdf);
  }
  await Promise.all([page.waitForLoadState("load"), page.locator("#submit-button").click()]);
  const confirmation = await page.textContent("main");
  const code = confirmation.match(/000\.00\.01\.H38-\d{6}-\d{4}/)?.[0];
  assert.ok(code, `a dossier code on the confirmation: ${confirmation.slice(0, 300)}`);
  assert.match(confirmation, /Chờ tiếp nhận/);

  // Signing out ends the session here and at the provider (its confirmation page).
  await Promise.all([
    page.waitForURL(/\/session\/end/),
    page.getByRole("button", { name: "Đăng xuất" }).click(),
  ]);
  await Promise.all([page.waitForURL(`${server.base}/`), page.locator('button[type="submit"]').first().click()]);
  assert.match(await page.textContent("header"), /Đăng nhập/);
});

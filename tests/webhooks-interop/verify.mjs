// Verifies motcua's webhook deliveries with the npm `standardwebhooks` library. Reads
// {"deliveries": [{"secret", "body", "headers"}]} on stdin; prints [{"ok", "error", "data"}].
import { Webhook } from "standardwebhooks";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { deliveries } = JSON.parse(input);
const out = deliveries.map(({ secret, body, headers }) => {
  try {
    const data = new Webhook(secret).verify(body, headers);
    return { ok: true, data };
  } catch (e) {
    return { ok: false, error: String(e.message ?? e) };
  }
});
process.stdout.write(JSON.stringify(out));

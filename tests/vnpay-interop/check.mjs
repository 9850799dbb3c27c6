// An independent VNPAY implementation (npm `vnpay`, version pinned in package-lock.json) run on
// the inputs motcua's test gives, to compare with motcua's own signing.
// Input (JSON on stdin): { tmnCode, secret, host, payment, signed, query }
// - payment: the library's buildPaymentUrl input (vnp_Amount in đồng).
// - signed: return/IPN parameters signed by motcua, to verify with the library.
// - query (optional): a queryDr input; the library calls `${host}/merchant_webapi/api/transaction`.
// Output (JSON on stdout): { url, returnVerified, returnSuccess, returnAmount, ipnVerified, queryDr }
import { VNPay, ignoreLogger } from 'vnpay';

const input = JSON.parse(await new Promise((resolve) => {
  let s = '';
  process.stdin.on('data', (c) => { s += c; });
  process.stdin.on('end', () => resolve(s));
}));

const vnpay = new VNPay({
  vnpayHost: input.host,
  queryDrAndRefundHost: input.host,
  tmnCode: input.tmnCode,
  secureSecret: input.secret,
  hashAlgorithm: 'SHA512',
  testMode: false,
  enableLog: false,
  loggerFn: ignoreLogger,
  endpoints: {
    paymentEndpoint: 'paymentv2/vpcpay.html',
    queryDrRefundEndpoint: 'merchant_webapi/api/transaction',
  },
});

const out = {};
out.url = vnpay.buildPaymentUrl(input.payment);
if (input.signed) {
  const ret = vnpay.verifyReturnUrl({ ...input.signed });
  out.returnVerified = ret.isVerified;
  out.returnSuccess = ret.isSuccess;
  out.returnAmount = ret.vnp_Amount;
  out.ipnVerified = vnpay.verifyIpnCall({ ...input.signed }).isVerified;
}
if (input.query) {
  const r = await vnpay.queryDr(input.query);
  out.queryDr = {
    isVerified: r.isVerified,
    isSuccess: r.isSuccess,
    vnp_ResponseCode: r.vnp_ResponseCode,
    vnp_TransactionStatus: r.vnp_TransactionStatus,
    vnp_Amount: r.vnp_Amount,
  };
}
process.stdout.write(JSON.stringify(out));

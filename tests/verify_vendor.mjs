// The vendor doc's Node.js verification function, unchanged; reads one JSON case a line
// ({body_b64, signature, secret}) and prints one JSON array of verdicts.
import crypto from 'crypto';
import readline from 'readline';

function verifyAudiverify(rawBody, signatureHeader, secret) {
  const expected = crypto
    .createHmac('sha256', secret)
    .update(rawBody)
    .digest('hex');
  const received = signatureHeader.replace('sha256=', '');
  return crypto.timingSafeEqual(
    Buffer.from(expected, 'hex'),
    Buffer.from(received, 'hex')
  );
}

const verdicts = [];
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const c = JSON.parse(line);
  verdicts.push(verifyAudiverify(Buffer.from(c.body_b64, 'base64'), c.signature, c.secret));
}
console.log(JSON.stringify(verdicts));

/**
 * Redaction of every kind of secret, several in one text: access tokens (JWTs), Authorization
 * headers, the identity header, and the value of every secret variable. The artifacts that pass
 * text through it (executed notebooks, docs, --json, logs) are tested in notebook/redaction.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { RestError } from "@azure/core-rest-pipeline";
import { describeError } from "../src/friendly-errors";
import { redact, SECRET_VARIABLES, secretValues } from "../src/secrets";
import { b64url, fakeJwt } from "./helpers/secrets";

/** Runs `body` with AZURE_CLIENT_SECRET set in this process, then puts back what was there. */
function withClientSecret(value: string, body: () => void): void {
  const saved = process.env.AZURE_CLIENT_SECRET;
  process.env.AZURE_CLIENT_SECRET = value;
  try {
    body();
  } finally {
    if (saved === undefined) delete process.env.AZURE_CLIENT_SECRET;
    else process.env.AZURE_CLIENT_SECRET = saved;
  }
}

test("every JWT in a text is redacted, not just the first", () => {
  const [a, b, c] = [fakeJwt(), fakeJwt(), fakeJwt()];
  const text = `first ${a}\nsecond ${b} and third ${c}\n{"access_token":"${a}"}`;
  const out = redact(text, []);
  for (const token of [a, b, c]) assert.ok(!out.includes(token), out);
  assert.equal(out.match(/\[redacted token\]/g)?.length, 4, out);
  assert.match(out, /^first \[redacted token\]$/m);
});

test("Authorization headers are redacted whatever the token's format", () => {
  const opaque = b64url(40);
  const jwt = fakeJwt();
  const basic = Buffer.from("user:pa55word-long").toString("base64");
  const text = `Authorization: Bearer ${opaque}\nauthorization: bearer ${jwt}\n{"Authorization":"Basic ${basic}"}`;
  const out = redact(text, []);
  for (const value of [opaque, jwt, basic, "pa55word"]) assert.ok(!out.includes(value), out);
  assert.match(out, /^Authorization: Bearer \[redacted token\]$/m);
  assert.match(out, /"Authorization":"Basic \[redacted token\]"/);
  // Words after "Bearer" in prose are not a token.
  assert.equal(redact("Use a Bearer token.", []), "Use a Bearer token.");
});

test("an opaque Authorization credential is redacted in any case of Bearer or Basic (HTTP's schemes are case-insensitive)", () => {
  // Opaque (not JWTs): only the Authorization pattern can catch them.
  for (const scheme of ["bearer", "BEARER", "bEaReR", "basic", "BASIC"]) {
    const credential = b64url(32);
    const out = redact(`authorization: ${scheme} ${credential}`, []);
    assert.equal(out, `authorization: ${scheme} [redacted token]`);
  }
});

test("the identity header is redacted by its value, and by its name when the value is not known", () => {
  const header = b64url(24);
  const out = redact(`X-IDENTITY-HEADER: ${header}\nIDENTITY_HEADER=${header}\n{"x-identity-header":"${header}"}`, []);
  assert.ok(!out.includes(header), out);
  assert.match(out, /^X-IDENTITY-HEADER: \[redacted\]$/m);
  assert.match(out, /^IDENTITY_HEADER=\[redacted\]$/m);
  const byValue = redact(`the header is ${header}.`, secretValues({ IDENTITY_HEADER: header }));
  assert.equal(byValue, "the header is [redacted].");
});

test("the value of every secret variable is redacted, several in one text, each time it appears", () => {
  const env = Object.fromEntries(SECRET_VARIABLES.map((name) => [name, `${name.toLowerCase()}-${b64url(9)}`]));
  const values = Object.values(env);
  const text = values.map((v) => `${v} then ${v} again`).join("\n");
  const out = redact(text, secretValues(env));
  for (const value of values) assert.ok(!out.includes(value), `${value} leaked:\n${out}`);
  assert.equal(out.match(/\[redacted\]/g)?.length, values.length * 2);
  // The default list reads process.env.
  withClientSecret(env.AZURE_CLIENT_SECRET, () => assert.equal(redact(`x ${env.AZURE_CLIENT_SECRET} y`), "x [redacted] y"));
});

test("a secret that contains another is replaced whole; short values and unset ones are left alone", () => {
  const inner = "abcdef123";
  const outer = `xx-${inner}-yy`;
  assert.equal(redact(`${outer} ${inner}`, secretValues({ AZURE_CLIENT_SECRET: inner, AZURE_PASSWORD: outer })), "[redacted] [redacted]");
  assert.deepEqual(secretValues({ AZURE_CLIENT_SECRET: "abc", AZURE_PASSWORD: "" }), []);
  assert.equal(redact("a normal sentence with abc", secretValues({ AZURE_CLIENT_SECRET: "abc" })), "a normal sentence with abc");
  assert.deepEqual(secretValues({}, ["extra-secret-value"]), ["extra-secret-value"]);
});

test("everything at once: a log line with a token, a header, a client secret and the identity header", () => {
  const secret = b64url(30);
  const header = b64url(20);
  const jwt = fakeJwt();
  const line = `POST /token client_secret=${secret} -> ${jwt}; headers: {"authorization":"Bearer ${jwt}","x-identity-header":"${header}"}`;
  const out = redact(line, secretValues({ AZURE_CLIENT_SECRET: secret, IDENTITY_HEADER: header }));
  for (const value of [secret, header, jwt]) assert.ok(!out.includes(value), out);
  assert.match(out, /^POST \/token client_secret=\[redacted\] -> \[redacted token\]; headers: /);
});

test("an SDK error printed in a notebook (Jupyter, VS Code: no runner redacts after it) shows no token or secret", () => {
  const jwt = fakeJwt();
  const secret = `client-secret-${b64url(12)}`;
  const error = new RestError(`Unauthorized: token ${jwt} rejected; client_secret=${secret}; Authorization: Bearer ${jwt}`, { statusCode: 401, code: "Unauthorized" });
  withClientSecret(secret, () => {
    const shown = describeError(error);
    for (const value of [jwt, secret]) assert.ok(!shown.includes(value), shown);
    assert.match(shown, /token \[redacted token\] rejected; client_secret=\[redacted\]/);
  });
});

test("a private key in PEM is redacted whole, whatever its kind, and one cut off at the end of a text too; a certificate stays", () => {
  const { generateKeyPairSync } = require("node:crypto") as typeof import("node:crypto");
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const pkcs8 = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  const sec1 = privateKey.export({ type: "sec1", format: "pem" }) as string;
  const certificate = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
  const out = redact(`secret:\n${pkcs8}${certificate}ec: ${sec1}cut: ${pkcs8.slice(0, 80)}`, []);
  assert.doesNotMatch(out, /PRIVATE KEY|MIG/, out);
  assert.equal(out.match(/\[redacted private key\]/g)?.length, 3);
  assert.ok(out.includes(certificate), "the certificate is public: it stays");
});

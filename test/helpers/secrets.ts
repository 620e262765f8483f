/** Secret-shaped test values. */
import { randomBytes } from "node:crypto";

export const b64url = (n: number) => randomBytes(n).toString("base64url");

/** A JWT-shaped token: header, payload and signature, base64url, as Entra ID issues them. */
export const fakeJwt = () =>
  `${Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify({ aud: "https://vault.azure.net", n: b64url(6) })).toString("base64url")}.${b64url(64)}`;

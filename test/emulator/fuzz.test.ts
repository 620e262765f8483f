/**
 * Thousands of malformed requests, generated from a seeded PRNG: bad names, bad JSON, wrong types,
 * huge bodies, bad tokens, bad api-versions, random paths and methods. Every answer must be a 4xx
 * in Key Vault's error shape — never a 5xx, never a dropped connection — the server must still
 * answer afterwards, and none of them may have changed the vault.
 *
 * Each generator builds requests that are wrong by construction, so a 2xx is a bug too.
 * Reproduce a run with KVQ_FUZZ_SEED=<seed printed in the diagnostics>.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { Agent } from "node:https";
import { after, before, test } from "node:test";
import { SignJWT } from "jose";
import { MAX_BODY_BYTES } from "../../src/emulator/server";
import { rawRequest, startTestVault, vaultAgent, type RawRequestOptions, type TestVault } from "../helpers/emulator";
import { mulberry32 } from "../../src/util/prng";

const SEED = Number(process.env.KVQ_FUZZ_SEED ?? 20260601);
const COUNTS = { badName: 500, badJson: 500, wrongType: 700, badValue: 400, hugeBody: 6, badToken: 400, badApiVersion: 300, randomRoute: 600 };

/** Seeded: the same cases on every machine, so a failure can be replayed. */
function prng(seed: number) {
  const next = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
  const string = (alphabet: string, min: number, max: number) => Array.from({ length: int(min, max) }, () => pick([...alphabet])).join("");
  return { next, int, pick, string };
}
type Rng = ReturnType<typeof prng>;

interface Case extends Omit<RawRequestOptions, "agent"> {
  kind: keyof typeof COUNTS;
  /** Expected status when it is known exactly. */
  status?: number;
  /** Send the body chunked, without a Content-Length. */
  chunked?: boolean;
}

const KEY_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const NAME_CHARS = "abcXYZ019-";
const JUNK_CHARS = "_.!~*'()@:+,;$&= ";
const API = "api-version=7.5";

let vault: TestVault;
let agent: Agent;
let token: string;
let ecJwk: Record<string, string>;

before(async () => {
  vault = await startTestVault();
  agent = vaultAgent(vault.emulator, 16);
  token = await vault.token();
  await vault.client.createRsaKey("fuzz-rsa");
  await vault.client.createEcKey("fuzz-ec");
  ecJwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" }) as Record<string, string>;
});
after(async () => {
  agent.destroy();
  await vault.stop();
});

/** A name Key Vault refuses: a character outside [0-9a-zA-Z-], or longer than 127. */
function badName(rng: Rng): string {
  for (;;) {
    const name =
      rng.next() < 0.2
        ? rng.string(NAME_CHARS, 128, 300)
        : rng.string(NAME_CHARS, 0, 10) + rng.pick([...JUNK_CHARS, "é", "鍵", "\u0000", "/", "%", "\\", "?", "#"]) + rng.string(NAME_CHARS, 0, 10);
    if (!KEY_NAME.test(name) && name !== "." && name !== "..") return encodeURIComponent(name);
  }
}

/** Valid bodies for each route that takes one; the generators break them. */
function templates(rng: Rng): { method: string; path: string; body: unknown; enums?: (string | number)[][] }[] {
  const digest = randomBytes(32).toString("base64url");
  return [
    { method: "POST", path: "/keys/fuzz-new/create", body: { kty: "EC", crv: "P-256", key_ops: ["sign", "verify"], attributes: { enabled: true, nbf: 0, exp: 4102444800 }, tags: { a: "b" } }, enums: [["kty"], ["crv"], ["key_ops", 0]] },
    { method: "POST", path: "/keys/fuzz-new/create", body: { kty: "RSA", key_size: 2048, public_exponent: 65537 }, enums: [["kty"]] },
    { method: "PUT", path: "/keys/fuzz-new", body: { key: { ...ecJwk }, attributes: { enabled: true }, tags: { a: "b" } }, enums: [["key", "kty"], ["key", "crv"]] },
    { method: "PATCH", path: "/keys/fuzz-ec/", body: { attributes: { enabled: true, exp: 4102444800 }, tags: { a: "b" }, key_ops: ["sign", "verify"] }, enums: [["key_ops", 1]] },
    { method: "POST", path: "/keys/fuzz-ec//sign", body: { alg: "ES256", value: digest }, enums: [["alg"]] },
    { method: "POST", path: "/keys/fuzz-ec//verify", body: { alg: "ES256", digest, value: randomBytes(64).toString("base64url") }, enums: [["alg"]] },
    { method: "POST", path: "/keys/fuzz-rsa//encrypt", body: { alg: rng.pick(["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"]), value: digest }, enums: [["alg"]] },
    { method: "POST", path: "/keys/fuzz-rsa//unwrapkey", body: { alg: "RSA-OAEP", value: randomBytes(256).toString("base64url") }, enums: [["alg"]] },
    { method: "POST", path: "/rng", body: { count: 16 } },
    { method: "POST", path: "/keys/restore", body: { value: randomBytes(64).toString("base64url") } },
    {
      method: "PUT",
      path: "/keys/fuzz-ec/rotationpolicy",
      body: { lifetimeActions: [{ trigger: { timeAfterCreate: "P30D" }, action: { type: "Rotate" } }], attributes: { expiryTime: "P90D" } },
      enums: [["lifetimeActions", 0, "trigger", "timeAfterCreate"], ["lifetimeActions", 0, "action", "type"], ["attributes", "expiryTime"]],
    },
  ];
}

/** Paths to every field of a JSON value (objects and arrays), with the value found there. */
function fields(value: unknown, prefix: (string | number)[] = []): { path: (string | number)[]; value: unknown }[] {
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const path = [...prefix, Array.isArray(value) ? Number(k) : k];
    return [{ path, value: v }, ...fields(v, path)];
  });
}

/** A value of another JSON type than `value` (never null: null means "not given", which is valid). */
function wrongType(rng: Rng, value: unknown): unknown {
  const kind = (v: unknown) => (Array.isArray(v) ? "array" : typeof v);
  const candidates: unknown[] = [0, -1, 1.5, 1e300, true, false, "", "x", "2048", [], [1], ["sign"], {}, { a: 1 }];
  for (;;) {
    const candidate = rng.pick(candidates);
    if (kind(candidate) !== kind(value)) return candidate;
  }
}

function setPath(target: any, path: (string | number)[], value: unknown): void {
  for (const part of path.slice(0, -1)) target = target[part];
  target[path[path.length - 1]] = value;
}

const generators: Record<keyof typeof COUNTS, (rng: Rng) => Case> = {
  badName(rng) {
    const name = badName(rng);
    const [method, path, body] = rng.pick([
      ["POST", `/keys/${name}/create`, '{"kty":"EC"}'],
      ["PUT", `/keys/${name}`, JSON.stringify({ key: ecJwk })],
      ["GET", `/keys/${name}/`, undefined],
      ["PATCH", `/keys/${name}/`, '{"tags":{}}'],
      ["DELETE", `/keys/${name}`, undefined],
      ["GET", `/keys/${name}/versions`, undefined],
      ["POST", `/keys/${name}/backup`, undefined],
      ["POST", `/keys/${name}/rotate`, undefined],
      ["GET", `/keys/${name}/rotationpolicy`, undefined],
      ["GET", `/deletedkeys/${name}`, undefined],
      ["DELETE", `/deletedkeys/${name}`, undefined],
      ["POST", `/deletedkeys/${name}/recover`, undefined],
      ["POST", `/keys/${name}//sign`, '{"alg":"ES256","value":"AAAA"}'],
    ] as const);
    return { kind: "badName", method, path: `${path}?${API}`, body };
  },
  badJson(rng) {
    const template = rng.pick(templates(rng));
    const text = JSON.stringify(template.body);
    for (;;) {
      const roll = rng.next();
      const broken =
        roll < 0.4
          ? text.slice(0, rng.int(1, text.length - 1))
          : roll < 0.8
            ? (() => {
                const at = rng.int(0, text.length);
                return text.slice(0, at) + rng.pick(["{", "}", "[", "]", ",", ":", '"', "'", "\\", "undefined", "NaN", "\u0000"]) + text.slice(at);
              })()
            : randomBytes(rng.int(1, 64)).toString(rng.pick(["latin1", "base64"]));
      try {
        JSON.parse(broken);
      } catch {
        return { kind: "badJson", method: template.method, path: `${template.path}?${API}`, body: broken, status: 400 };
      }
    }
  },
  wrongType(rng) {
    const template = rng.pick(templates(rng));
    const field = rng.pick(fields(template.body));
    const body = structuredClone(template.body);
    setPath(body, field.path, wrongType(rng, field.value));
    // Or the whole body of another type.
    const sent = rng.next() < 0.05 ? wrongType(rng, {}) : body;
    return { kind: "wrongType", method: template.method, path: `${template.path}?${API}`, body: JSON.stringify(sent), status: 400 };
  },
  badValue(rng) {
    // A string where a string belongs, but not one of the values the field takes: names every
    // object inherits ("constructor" in CURVES is true), near misses, empty.
    const template = rng.pick(templates(rng).filter((t) => t.enums));
    const body = structuredClone(template.body);
    setPath(body, rng.pick(template.enums!), rng.pick(["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "prototype", "", "x", "RSA-HSM", "P-256 ", "A256GCM", "P30X"]));
    return { kind: "badValue", method: template.method, path: `${template.path}?${API}`, body: JSON.stringify(body), status: 400 };
  },
  hugeBody(rng) {
    const template = rng.pick(templates(rng));
    const size = MAX_BODY_BYTES + rng.int(1, 2 * 1024 * 1024);
    // Half declare their length, half stream it chunked, as a client that does not know it would.
    const body = Buffer.alloc(size, " ");
    return { kind: "hugeBody", method: template.method, path: `${template.path}?${API}`, body, status: 400, chunked: rng.next() < 0.5 };
  },
  badToken(rng) {
    const part = () => rng.string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 0, 60);
    const valid = token.split(".");
    const authorization = rng.pick([
      () => `Bearer ${part()}.${part()}.${part()}`,
      () => `Bearer ${part()}`,
      () => `Bearer ${valid[0]}.${valid[1]}.${part()}`,
      () => `Bearer ${valid[0]}.${Buffer.from(JSON.stringify({ aud: "https://vault.azure.net", exp: 9e9 })).toString("base64url")}.${valid[2]}`,
      () => `Bearer ${Buffer.from('{"alg":"none"}').toString("base64url")}.${valid[1]}.`,
      () => `${rng.pick(["Basic", "Digest", "PoP", "bearer1", ""])} ${part()}`,
      () => rng.string(" \t=,;", 0, 5),
      () => `Bearer ${token.slice(0, rng.int(0, token.length - 1))}`,
    ])();
    const template = rng.pick(templates(rng));
    const headers: Record<string, string> = authorization.trim() === "" ? {} : { authorization };
    return { kind: "badToken", method: template.method, path: `${template.path}?${API}`, body: JSON.stringify(template.body), headers, status: 401 };
  },
  badApiVersion(rng) {
    const version = rng.pick([
      () => "",
      () => `7.${rng.int(7, 99)}`,
      () => `${rng.pick([0, 1, 2, 3, 4, 5, 6, 8, 9, 10])}.${rng.int(0, 9)}`,
      () => `20${rng.int(10, 25)}-0${rng.int(1, 6)}-${rng.int(10, 28)}`,
      () => `2025-${rng.int(13, 99)}-${rng.int(32, 99)}`,
      () => `7.${rng.int(0, 6)}${rng.pick(["-", ".", "x", "-preview.", " ", "-previe"])}`,
      () => rng.string("abcdefxyz-._~0123456789", 1, 20).replace(/^7\.[0-6]$/, "7.x"),
    ])();
    const path = rng.pick(["/keys", "/keys/fuzz-ec/", "/deletedkeys", "/keys/fuzz-ec/versions"]);
    const query = rng.next() < 0.1 ? "" : `?api-version=${encodeURIComponent(version)}`;
    return { kind: "badApiVersion", method: "GET", path: `${path}${query}`, status: 400 };
  },
  randomRoute(rng) {
    const method = rng.pick(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "FOO"]);
    const segment = () =>
      rng.pick([
        () => rng.pick(["secret", "certificates", "key", "keyss", "deletedkey", "rngs", "storage", "", "%2e%2e", "%zz", "%", "%E0%A4%A"]),
        () => rng.string("abcdefghijklmnopqrstuvwxyz0123456789-._~", 1, 12),
        () => randomBytes(16).toString("hex"),
      ])();
    const depth = rng.int(1, 5);
    // The first segment is never a real collection ("keys", "deletedkeys", "secrets", "deletedsecrets", "rng" in any case).
    const path = `/${Array.from({ length: depth }, segment).join("/")}`;
    const known = [
      ["PUT", "/keys"], ["DELETE", "/keys"], ["PATCH", "/deletedkeys"], ["POST", "/deletedkeys"], ["GET", "/rng"], ["DELETE", "/rng"],
      ["PUT", "/keys/fz-x/versions"], ["DELETE", "/keys/fz-x/backup"], ["GET", "/keys/fz-x/create"], ["PUT", "/keys/fz-x/rotate"],
      ["GET", "/keys/fz-x/sign"], ["PATCH", "/deletedkeys/fz-x/recover"], ["GET", "/keys/restore/x/y"],
    ] as const;
    if (rng.next() < 0.3) {
      const [m, p] = rng.pick(known);
      return { kind: "randomRoute", method: m, path: `${p}?${API}`, body: m === "GET" || m === "DELETE" ? undefined : "{}" };
    }
    const hasBody = method !== "GET" && method !== "TRACE" && rng.next() < 0.5;
    return { kind: "randomRoute", method, path: `${path}?${API}`, body: hasBody ? "{}" : undefined };
  },
};

test(`thousands of malformed requests all get a 4xx in the error shape (seed ${SEED})`, async (t) => {
  const rng = prng(SEED);
  const cases: Case[] = [];
  for (const [kind, count] of Object.entries(COUNTS) as [keyof typeof COUNTS, number][]) {
    for (let i = 0; i < count; i++) cases.push(generators[kind](rng));
  }
  // Shuffled, so each kind meets the others on the same connections.
  for (let i = cases.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [cases[i], cases[j]] = [cases[j], cases[i]];
  }

  const statuses = new Map<number, number>();
  const failures: string[] = [];
  let nextCase = 0;
  const worker = async () => {
    while (nextCase < cases.length) {
      const c = cases[nextCase++];
      const { kind, status: expected, chunked, ...request } = c;
      const where = () => `${kind}: ${request.method} ${request.path.slice(0, 120)} ${String(request.body ?? "").slice(0, 80)}`;
      try {
        const res = await rawRequest(vault.emulator, {
          token: kind === "badToken" ? undefined : token,
          ...request,
          headers: { ...(chunked ? { "transfer-encoding": "chunked" } : {}), ...request.headers },
          agent,
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status < 400 || res.status >= 500) failures.push(`${res.status} for ${where()}: ${res.text.slice(0, 200)}`);
        else if (expected !== undefined && res.status !== expected) failures.push(`${res.status}, not ${expected}, for ${where()}: ${res.text.slice(0, 200)}`);
        else if (typeof res.body?.error?.code !== "string" || typeof res.body?.error?.message !== "string") {
          failures.push(`no error shape for ${where()}: ${res.status} ${res.text.slice(0, 200)}`);
        } else if (res.status === 401 && !String(res.headers["www-authenticate"]).startsWith("Bearer authorization=")) {
          failures.push(`401 without the challenge for ${where()}`);
        }
      } catch (error) {
        failures.push(`${(error as Error).message} for ${where()}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));

  t.diagnostic(`seed ${SEED}: ${cases.length} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} bad answers`);
  assert.ok(cases.length >= 3000);
});

test("the server still answers, and the fuzzing changed nothing", async () => {
  assert.equal((await vault.client.getKey("fuzz-ec")).name, "fuzz-ec");
  const names: string[] = [];
  for await (const p of vault.client.listPropertiesOfKeys()) names.push(p.name);
  assert.deepEqual(names, ["fuzz-ec", "fuzz-rsa"]);
  const versions: unknown[] = [];
  for await (const p of vault.client.listPropertiesOfKeyVersions("fuzz-ec")) versions.push(p);
  assert.equal(versions.length, 1);
  const ec = await vault.client.getKey("fuzz-ec");
  assert.equal(ec.properties.enabled, true);
  assert.equal(ec.properties.tags, undefined);
  assert.deepEqual((await vault.client.getKeyRotationPolicy("fuzz-ec")).lifetimeActions, [
    { action: "Notify", timeAfterCreate: undefined, timeBeforeExpiry: "P30D" },
  ]);
  for await (const deleted of vault.client.listDeletedKeys()) assert.fail(`deleted key ${deleted.name}`);
});

test("forged tokens signed with a real ES256 key are refused too", async () => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const forged = await new SignJWT({}).setProtectedHeader({ alg: "ES256" }).setAudience("https://vault.azure.net").setExpirationTime("1h").sign(privateKey);
  const res = await rawRequest(vault.emulator, { path: `/keys?${API}`, token: forged, agent });
  assert.equal(res.status, 401);
});

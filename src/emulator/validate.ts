/**
 * Reading request bodies the way the service does: every field checked for its type, and every
 * mistake answered with 400 BadParameter naming the field, never with a crash.
 */
import { badParameter, KIND_WORDS } from "./errors";
import type { ObjectKind } from "./model";

export type Json = Record<string, unknown>;

/** Every kind's object names: 1-127 letters, digits and dashes (FACTS.md §2; secrets.json's `^[0-9a-zA-Z-]+$`). */
export const NAME_PATTERN = /^[0-9a-zA-Z-]{1,127}$/;
export const VERSION_PATTERN = /^[0-9a-f]{32}$/;

export function checkName(kind: ObjectKind, name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw badParameter(
      `The request URI contains an invalid name: ${name}. ${KIND_WORDS[kind].Noun} names are 1-127 characters: letters, digits and dashes.`,
    );
  }
  return name;
}

export function bodyObject(body: unknown): Json {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badParameter("The request body must be a JSON object.");
  }
  return body as Json;
}

export function optionalString(obj: Json, field: string): string | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw badParameter(`Property '${field}' must be a string.`);
  return value;
}

export function requiredString(obj: Json, field: string): string {
  const value = optionalString(obj, field);
  if (value === undefined || value === "") throw badParameter(`Property '${field}' is required.`);
  return value;
}

export function optionalBoolean(obj: Json, field: string): boolean | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw badParameter(`Property '${field}' must be true or false.`);
  return value;
}

export function optionalInteger(obj: Json, field: string, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw badParameter(`Property '${field}' must be an integer between ${min} and ${max}.`);
  }
  return value;
}

export function optionalStringArray(obj: Json, field: string): string[] | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw badParameter(`Property '${field}' must be an array of strings.`);
  }
  return value as string[];
}

export function optionalObject(obj: Json, field: string): Json | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw badParameter(`Property '${field}' must be an object.`);
  return value as Json;
}

/** Tags: at most 15, names up to 512 characters, values up to 256 (the service's limits). */
export function optionalTags(obj: Json, kind: ObjectKind): Record<string, string> | undefined {
  const tags = optionalObject(obj, "tags");
  if (!tags) return undefined;
  const entries = Object.entries(tags);
  if (entries.length > 15) throw badParameter(`A ${KIND_WORDS[kind].noun} can have at most 15 tags.`);
  for (const [name, value] of entries) {
    if (typeof value !== "string") throw badParameter(`Tag '${name}' must have a string value.`);
    if (name.length === 0 || name.length > 512 || value.length > 256) {
      throw badParameter(`Tag '${name}' is too long: names are 1-512 characters and values at most 256.`);
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * Base64url (RFC 4648 §5), padded or not. A length of 4n+1 characters ("A", "AAAAA") encodes no
 * whole byte and is refused; padding, if any, must complete the last group of four.
 */
export function isBase64url(value: string): boolean {
  const match = /^([A-Za-z0-9_-]*)(={0,2})$/.exec(value);
  if (!match) return false;
  const [, body, padding] = match;
  if (body.length % 4 === 1) return false;
  return padding.length === 0 || (body.length + padding.length) % 4 === 0;
}

export function base64urlField(obj: Json, field: string): Buffer {
  const value = requiredString(obj, field);
  if (!isBase64url(value)) throw badParameter(`Property '${field}' must be base64url encoded.`);
  return Buffer.from(value, "base64url");
}

/** Names a client's value in a message without echoing (or serialising) arbitrary JSON: a string is quoted, shortened; anything else is named by its type. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : String(value).slice(0, 40);
}

export interface AttributesInput {
  enabled?: boolean;
  nbf?: number;
  exp?: number;
  exportable?: boolean;
}

export function checkAttributes(kind: ObjectKind, attributes: AttributesInput | undefined): void {
  if (attributes?.nbf !== undefined && attributes.exp !== undefined && attributes.nbf > attributes.exp) {
    throw badParameter(`The ${KIND_WORDS[kind].noun}'s 'nbf' (not before) must not be later than its 'exp' (expiry).`);
  }
}

export function optionalAttributes(obj: Json): AttributesInput | undefined {
  const attributes = optionalObject(obj, "attributes");
  if (!attributes) return undefined;
  return {
    enabled: optionalBoolean(attributes, "enabled"),
    nbf: optionalInteger(attributes, "nbf", 0),
    exp: optionalInteger(attributes, "exp", 0),
    exportable: optionalBoolean(attributes, "exportable"),
  };
}

/** Random bytes from the vault (1 to 128 at a time, as the service allows). */
import { randomBytes } from "node:crypto";
import { ok, type Operation } from "../context";
import { badParameter } from "../errors";
import { bodyObject, optionalInteger } from "../validate";

export const getRandomBytes: Operation = (_ctx, req) => {
  const count = optionalInteger(bodyObject(req.body), "count", 1, 128);
  if (count === undefined) throw badParameter("Property 'count' is required: how many random bytes, 1 to 128.");
  return ok({ value: randomBytes(count).toString("base64url") });
};

"use strict";
// The Jupyter wire format, for the few messages the kernel answers itself (protocol.cjs) and the
// control channel's thread (control-worker.cjs): tslab's own message class is private to its
// jupyter.js. https://jupyter-client.readthedocs.io/en/latest/messaging.html#the-wire-protocol
//
// A message is the routing identities, the delimiter "<IDS|MSG>", the HMAC-SHA256 signature of the
// four JSON parts that follow (header, parent header, metadata, content), then those parts and
// any binary buffers (not signed). A message with a wrong signature is refused, as jupyter_client
// refuses one.
const crypto = require("node:crypto");

const DELIMITER = Buffer.from("<IDS|MSG>");
const PROTOCOL_VERSION = "5.3";

/** Where the delimiter is, or -1. */
const delimiterAt = (frames) => frames.findIndex((frame) => Buffer.from(frame).equals(DELIMITER));

const sign = (key, parts) => {
  const hmac = crypto.createHmac("sha256", key);
  for (const part of parts) hmac.update(part);
  return hmac.digest("hex");
};

/** The msg_type of a message's header without checking anything else (undefined if it has none). */
function peekType(frames) {
  const at = delimiterAt(frames);
  if (at < 0 || frames.length < at + 3) return undefined;
  try {
    return JSON.parse(Buffer.from(frames[at + 2]).toString("utf8")).msg_type;
  } catch {
    return undefined;
  }
}

/** The message in its parts, or an Error saying why it is not one (no delimiter, a bad signature, bad JSON). */
function parse(key, frames) {
  const at = delimiterAt(frames);
  if (at < 0 || frames.length < at + 6) return new Error("not a Jupyter message: no <IDS|MSG> delimiter, or parts missing");
  const parts = frames.slice(at + 2, at + 6).map((frame) => Buffer.from(frame));
  const signature = Buffer.from(frames[at + 1]).toString("ascii");
  if (key) {
    const expected = Buffer.from(sign(key, parts), "ascii");
    if (signature.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(signature, "ascii"), expected)) return new Error("the message's signature is wrong");
  }
  try {
    const [header, parent, metadata, content] = parts.map((part) => JSON.parse(part.toString("utf8")));
    return { identities: frames.slice(0, at), header, parent, metadata, content };
  } catch (error) {
    return new Error(`the message is not JSON: ${error.message}`);
  }
}

/** The frames of a message of `msgType` sent in answer to `request` (a parsed message), signed with `key`. */
function replyFrames(key, request, msgType, content, { identities = request.identities } = {}) {
  const header = {
    msg_id: crypto.randomUUID(),
    session: request.header.session,
    username: request.header.username ?? "kernel",
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
  const parts = [header, request.header, {}, content].map((part) => JSON.stringify(part));
  return [...identities, DELIMITER, sign(key, parts), ...parts];
}

module.exports = { parse, peekType, replyFrames, PROTOCOL_VERSION };

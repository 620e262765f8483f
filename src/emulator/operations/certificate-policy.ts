/**
 * A certificate's policy: read from a create or an update in the service's wire form, checked field
 * by field (400 BadParameter naming the field), and completed with the service's defaults (recorded:
 * can_create_a_certificate asks for `cn=MyCert` and a `Self` issuer only, and is answered RSA 2048,
 * exportable, not reused, application/x-pkcs12, server and client EKUs, digitalSignature and
 * keyEncipherment, 12 months, not a CA, auto-renew at 80 % of its life).
 */
import { checkSubject, KEY_USAGES } from "../crypto/certificate";
import { RSA_SIZES } from "../crypto/key-material";
import { badParameter } from "../errors";
import type { StoredCertificatePolicy } from "../model";
import { optionalBoolean, optionalInteger, optionalObject, optionalString, optionalStringArray, type Json } from "../validate";

export const PKCS12 = "application/x-pkcs12";
export const PEM = "application/x-pem-file";
/** The curves a certificate's key takes here: WebCrypto does not sign with secp256k1. */
export const CERTIFICATE_CURVES = ["P-256", "P-384", "P-521"];

const DEFAULT_EKUS = ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"];

/**
 * The policy a create or an update asks for, on top of `base` (an update changes only the fields it
 * gives; a create starts from the defaults). `now` stamps it.
 */
export function readPolicy(input: unknown, now: number, base?: StoredCertificatePolicy): StoredCertificatePolicy {
  if (input !== undefined && (typeof input !== "object" || input === null || Array.isArray(input))) throw badParameter("Property 'policy' must be an object.");
  const body = (input ?? {}) as Json;
  const keyProps = optionalObject(body, "key_props") ?? {};
  const secretProps = optionalObject(body, "secret_props") ?? {};
  const x509 = optionalObject(body, "x509_props") ?? {};
  const issuer = optionalObject(body, "issuer") ?? {};
  const attributes = optionalObject(body, "attributes") ?? {};

  const kty = (optionalString(keyProps, "kty") ?? base?.key_props.kty ?? "RSA").replace(/-HSM$/, "");
  if (kty !== "RSA" && kty !== "EC") throw badParameter(`Unsupported key type: ${kty}. A certificate's key is RSA or EC.`);
  const key_props: StoredCertificatePolicy["key_props"] = {
    exportable: optionalBoolean(keyProps, "exportable") ?? base?.key_props.exportable ?? true,
    kty,
    reuse_key: optionalBoolean(keyProps, "reuse_key") ?? base?.key_props.reuse_key ?? false,
  };
  if (kty === "RSA") {
    const size = optionalInteger(keyProps, "key_size") ?? (base?.key_props.kty === "RSA" ? base.key_props.key_size : undefined) ?? 2048;
    if (!(RSA_SIZES as readonly number[]).includes(size)) throw badParameter(`Unsupported RSA key size ${size}. Use 2048, 3072 or 4096.`);
    key_props.key_size = size;
  } else {
    const crv = optionalString(keyProps, "crv") ?? (base?.key_props.kty === "EC" ? base.key_props.crv : undefined) ?? "P-256";
    if (!CERTIFICATE_CURVES.includes(crv)) throw badParameter(`Unsupported curve for a certificate's key: ${crv}. Use ${CERTIFICATE_CURVES.join(", ")}.`);
    key_props.crv = crv;
  }

  const contentType = optionalString(secretProps, "contentType") ?? base?.secret_props.contentType ?? PKCS12;
  if (contentType !== PKCS12 && contentType !== PEM) throw badParameter(`Unsupported content type: ${contentType}. Use ${PKCS12} or ${PEM}.`);

  const subject = optionalString(x509, "subject") ?? base?.x509_props.subject;
  const sansInput = optionalObject(x509, "sans");
  // An imported certificate's policy has no `sans` when the certificate has none; an update keeps it so.
  const sans = sansInput ? readSans(sansInput) : base ? base.x509_props.sans : {};
  const hasSans = Object.values(sans ?? {}).some((names) => names && names.length > 0);
  if (!subject && !hasSans) throw badParameter("The policy needs a subject (x509_props.subject, such as \"CN=example.com\") or subject alternative names.");
  if (subject) {
    try {
      checkSubject(subject);
    } catch {
      throw badParameter(`The policy's subject is not an X.500 name: ${JSON.stringify(subject.slice(0, 80))}. Write it as "CN=name, O=organisation".`);
    }
  }
  const keyUsage = optionalStringArray(x509, "key_usage") ?? base?.x509_props.key_usage ?? (kty === "RSA" ? ["digitalSignature", "keyEncipherment"] : ["digitalSignature"]);
  const unknownUsage = keyUsage.filter((u) => !KEY_USAGES.includes(u));
  if (unknownUsage.length > 0) throw badParameter(`Unknown key usage(s): ${unknownUsage.join(", ")}. Use ${KEY_USAGES.join(", ")}.`);
  const ekus = optionalStringArray(x509, "ekus") ?? base?.x509_props.ekus ?? DEFAULT_EKUS;
  if (ekus.some((oid) => !/^\d+(\.\d+)+$/.test(oid))) throw badParameter("Property 'ekus' takes object identifiers such as 1.3.6.1.5.5.7.3.1.");
  const validityMonths = optionalInteger(x509, "validity_months", 1, 1200) ?? base?.x509_props.validity_months ?? 12;

  // Whether the vault knows the issuer is the create's to check (certificate-issuers.ts).
  const issuerName = optionalString(issuer, "name") ?? base?.issuer.name ?? "Self";

  return {
    key_props,
    secret_props: { contentType },
    x509_props: {
      subject: subject ?? "",
      sans,
      ekus,
      key_usage: [...new Set(keyUsage)],
      validity_months: validityMonths,
      basic_constraints: base?.x509_props.basic_constraints ?? { ca: false },
    },
    // An `Unknown` issuer cannot renew: its default is to e-mail the contacts (recorded: can_merge_a_self_signed_certificate).
    lifetime_actions: readLifetimeActions(body) ?? base?.lifetime_actions ?? [{ trigger: { lifetime_percentage: 80 }, action: { action_type: issuerName === "Unknown" ? "EmailContacts" : "AutoRenew" } }],
    issuer: { name: issuerName },
    enabled: optionalBoolean(attributes, "enabled") ?? base?.enabled ?? true,
    created: base?.created ?? now,
    updated: now,
  };
}

function readSans(sans: Json): NonNullable<StoredCertificatePolicy["x509_props"]["sans"]> {
  const out: NonNullable<StoredCertificatePolicy["x509_props"]["sans"]> = {};
  for (const field of ["emails", "dns_names", "upns", "uris", "ipAddresses"] as const) {
    const names = optionalStringArray(sans, field);
    if (names && names.length > 0) out[field] = names;
  }
  return out;
}

function readLifetimeActions(body: Json): StoredCertificatePolicy["lifetime_actions"] | undefined {
  const actions = body.lifetime_actions;
  if (actions === undefined || actions === null) return undefined;
  if (!Array.isArray(actions)) throw badParameter("Property 'lifetime_actions' must be an array.");
  return actions.map((entry: unknown) => {
    const a = (typeof entry === "object" && entry !== null ? entry : {}) as Json;
    const trigger = optionalObject(a, "trigger") ?? {};
    const action = optionalObject(a, "action") ?? {};
    const lifetimePercentage = optionalInteger(trigger, "lifetime_percentage", 1, 99);
    const daysBeforeExpiry = optionalInteger(trigger, "days_before_expiry", 1);
    const type = optionalString(action, "action_type");
    if (type !== "AutoRenew" && type !== "EmailContacts") throw badParameter("A lifetime action's action_type is AutoRenew or EmailContacts.");
    return {
      trigger: lifetimePercentage !== undefined ? { lifetime_percentage: lifetimePercentage } : { days_before_expiry: daysBeforeExpiry ?? 30 },
      action: { action_type: type },
    };
  });
}

/**
 * The vault's certificate issuers and contacts, as the service keeps them: an issuer (a CA account a
 * certificate's policy names) is set, read, updated, listed and deleted by name; the contacts are one
 * list for the vault, set, read and deleted whole. Neither has versions or a soft delete. Both are
 * kept in the store beside the objects (store/kinds.ts, "settings").
 *
 * The emulator reaches no CA: a certificate whose policy names an issuer of this vault stays pending
 * (inProgress, as the service answers it while a CA works) until it is merged or its operation is
 * cancelled, as an `Unknown` issuer's does.
 */
import { ok, type Operation, type VaultContext } from "../context";
import { badParameter, VaultError } from "../errors";
import { quotaExceeded } from "../limits";
import { CONTACTS_ID, nameKey, type StoredContacts, type StoredIssuer } from "../model";
import { bodyObject, NAME_PATTERN, optionalBoolean, optionalObject, optionalString, requiredString, type Json } from "../validate";
import { paginate } from "./paging";

/** The issuers every vault has without setting them: `Self` signs with the certificate's own key, `Unknown` waits for a merge. */
const WELL_KNOWN_ISSUERS = ["Self", "Unknown"] as const;

/** The service's 404 for an issuer it does not have (recorded: can_create_read_and_delete_a_certificate_issuer). */
const issuerNotFound = () => new VaultError(404, "CertificateIssuerNotFound", "Issuer not found");

/** The service's 404 while no contacts are set (recorded: can_set_read_and_delete_a_certificates_contacts). */
const contactsNotFound = () => new VaultError(404, "ContactsNotFound", "Contacts not found");

const issuers = (ctx: VaultContext) => ctx.store.settings("certificate-issuers");
const contactsRecord = (ctx: VaultContext) => ctx.store.settings("certificate-contacts");

function checkIssuerName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw badParameter(`The request URI contains an invalid name: ${name}. Issuer names are 1-127 characters: letters, digits and dashes.`);
  }
  return name;
}

function findIssuer(ctx: VaultContext, name: string): StoredIssuer {
  const issuer = issuers(ctx).get(checkIssuerName(name));
  if (!issuer) throw issuerNotFound();
  return issuer;
}

/**
 * A certificate's policy names `Self`, `Unknown` or an issuer of this vault. For any other name the
 * answer is the service's code for a missing issuer, with the name and what to do (the create's own
 * wording is not recorded).
 */
export function assertIssuerKnown(ctx: VaultContext, name: string): void {
  if ((WELL_KNOWN_ISSUERS as readonly string[]).includes(name) || issuers(ctx).get(name)) return;
  throw new VaultError(
    404,
    "CertificateIssuerNotFound",
    `Issuer not found: ${name}. A certificate's policy names "Self" (self-signed), "Unknown" (signed elsewhere, then merged) or an issuer set in this vault first (setIssuer, PUT /certificates/issuers/${name}).`,
  );
}

/** The fields of an issuer a set or an update gives, checked; `pwd` is read but not kept (model.ts). */
function readIssuerFields(body: Json): Partial<Pick<StoredIssuer, "provider" | "credentials" | "org_details" | "enabled">> {
  const fields: ReturnType<typeof readIssuerFields> = {};
  const provider = optionalString(body, "provider");
  if (provider === "") throw badParameter("Property 'provider' must name the issuer's provider (DigiCert, GlobalSign, or your CA's name).");
  if (provider !== undefined) fields.provider = provider;
  const credentials = optionalObject(body, "credentials");
  if (credentials) {
    const accountId = optionalString(credentials, "account_id");
    optionalString(credentials, "pwd");
    fields.credentials = accountId === undefined ? {} : { account_id: accountId };
  }
  const org = optionalObject(body, "org_details");
  if (org) {
    const id = optionalString(org, "id");
    const admins = org.admin_details;
    if (admins !== undefined && admins !== null && !Array.isArray(admins)) throw badParameter("Property 'admin_details' must be an array.");
    fields.org_details = {
      ...(id !== undefined && { id }),
      ...(Array.isArray(admins) && { admin_details: admins.map(readAdministrator) }),
    };
  }
  const enabled = optionalBoolean(optionalObject(body, "attributes") ?? {}, "enabled");
  if (enabled !== undefined) fields.enabled = enabled;
  return fields;
}

function readAdministrator(entry: unknown): NonNullable<NonNullable<StoredIssuer["org_details"]>["admin_details"]>[number] {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw badParameter("Each of 'admin_details' must be an object (first_name, last_name, email, phone).");
  const admin: Record<string, string> = {};
  for (const field of ["first_name", "last_name", "email", "phone"]) {
    const value = optionalString(entry as Json, field);
    if (value !== undefined) admin[field] = value;
  }
  return admin;
}

/** DigiCert takes an organization id (seen on the service: Azure/azure-sdk-for-java#29166). */
function checkProviderNeeds(issuer: Pick<StoredIssuer, "provider" | "org_details">): void {
  if (issuer.provider.toLowerCase() === "digicert" && !issuer.org_details?.id) throw badParameter("Id in organization details is not set");
}

/** PUT: sets the issuer anew (it keeps its creation time if it existed). */
export const setCertificateIssuer: Operation = (ctx, req) => {
  const name = checkIssuerName(req.params.name);
  const body = bodyObject(req.body);
  const provider = requiredString(body, "provider");
  const fields = readIssuerFields(body);
  const existing = issuers(ctx).get(name);
  if (!existing && issuers(ctx).size >= ctx.settings.limits.certificateIssuers) throw quotaExceeded("certificate issuers", ctx.settings.limits.certificateIssuers);
  const now = ctx.clock.nowSeconds();
  const issuer: StoredIssuer = {
    name: existing?.name ?? name,
    provider,
    ...(fields.credentials && { credentials: fields.credentials }),
    ...(fields.org_details && { org_details: fields.org_details }),
    enabled: fields.enabled ?? true,
    created: existing?.created ?? now,
    updated: now,
  };
  checkProviderNeeds(issuer);
  issuers(ctx).put(name, issuer);
  return ok(ctx.wire.issuerBundle(issuer));
};

/**
 * PATCH: the fields given replace the issuer's, the rest are kept (recorded: a new account_id, the
 * provider kept). Field by field inside credentials and org_details too: the SDK sends
 * `credentials: {}` with every update, which must not forget the account.
 */
export const updateCertificateIssuer: Operation = (ctx, req) => {
  const body = bodyObject(req.body);
  const issuer = findIssuer(ctx, req.params.name);
  const { credentials, org_details: org, ...rest } = readIssuerFields(body);
  const updated: StoredIssuer = { ...issuer, ...rest, updated: ctx.clock.nowSeconds() };
  if (credentials) updated.credentials = { ...issuer.credentials, ...credentials };
  if (org) updated.org_details = { ...issuer.org_details, ...org };
  checkProviderNeeds(updated);
  issuers(ctx).put(issuer.name, updated);
  return ok(ctx.wire.issuerBundle(updated));
};

export const getCertificateIssuer: Operation = (ctx, req) => ok(ctx.wire.issuerBundle(findIssuer(ctx, req.params.name)));

/** DELETE answers the issuer as it was (recorded). Certificates that name it keep their policy. */
export const deleteCertificateIssuer: Operation = (ctx, req) => {
  const issuer = findIssuer(ctx, req.params.name);
  issuers(ctx).remove(issuer.name);
  return ok(ctx.wire.issuerBundle(issuer));
};

/** Every issuer by name, paged as every list is: `{id, provider}` each. */
export const getCertificateIssuers: Operation = (ctx, req) => {
  const entries = [...issuers(ctx).values()]
    .map((issuer) => ({ sortKey: nameKey(issuer.name), item: () => ctx.wire.issuerItem(issuer) }))
    .sort((a, b) => (a.sortKey < b.sortKey ? -1 : 1));
  return ok(paginate(ctx, req, "/certificates/issuers", entries));
};

/** PUT: the list given replaces the vault's. Each contact has an email, a name and a phone, all optional. */
export const setCertificateContacts: Operation = (ctx, req) => {
  const body = bodyObject(req.body);
  const list = body.contacts;
  if (!Array.isArray(list)) throw badParameter("Property 'contacts' is required: an array of contacts, each { email, name, phone }.");
  const stored: StoredContacts = {
    contacts: list.map((entry: unknown) => {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw badParameter("Each contact must be an object: { email, name, phone }.");
      const contact: StoredContacts["contacts"][number] = {};
      for (const field of ["email", "name", "phone"] as const) {
        const value = optionalString(entry as Json, field);
        if (value !== undefined) contact[field] = value;
      }
      return contact;
    }),
  };
  contactsRecord(ctx).put(CONTACTS_ID, stored);
  return ok(ctx.wire.contacts(stored));
};

export const getCertificateContacts: Operation = (ctx) => {
  const stored = contactsRecord(ctx).get(CONTACTS_ID);
  if (!stored) throw contactsNotFound();
  return ok(ctx.wire.contacts(stored));
};

/** DELETE answers the contacts as they were (recorded); with none set, the same 404 as a get. */
export const deleteCertificateContacts: Operation = (ctx) => {
  const stored = contactsRecord(ctx).get(CONTACTS_ID);
  if (!stored) throw contactsNotFound();
  contactsRecord(ctx).remove(CONTACTS_ID);
  return ok(ctx.wire.contacts(stored));
};

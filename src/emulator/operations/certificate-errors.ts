/**
 * The service's answers to a certificate import, merge or pending operation gone wrong, each with where
 * its words come from. Where no source gives the service's words, the message is the emulator's own
 * and says so in its comment.
 */
import type { ContentProblem } from "../crypto/certificate-content";
import { badParameter, VaultError } from "../errors";
import type { StoredCertificateOperation } from "../model";

/** Recorded: can_read_cancel_and_delete_a_certificates_operation (JS) and test_async_request_cancellation_and_deletion (Python). */
export const pendingNotFound = (name: string) => new VaultError(404, "PendingCertificateNotFound", `Pending Certificate not found: ${name}`);

/** learn.microsoft.com, "Monitor and manage certificate creation": a 409 whose code is "Forbidden", as written there. */
export const operationInProgress = () =>
  new VaultError(409, "Forbidden", "A new key vault certificate can not be created or imported while a pending key vault certificate's status is inProgress.");

/** The same page, word for word ("progess" is the service's). */
export const mergeWhileIssuing = (issuer: string) =>
  new VaultError(403, "Forbidden", `Merge is forbidden on pending object created with issuer : ${issuer} while it is in progess.`);

/** The same page says a cancellation of an operation not in progress is answered 400; its words are not given: these are the emulator's. */
export const cancelNotInProgress = (status: StoredCertificateOperation["status"]) =>
  badParameter(`The certificate's pending operation is ${status}, not inProgress: only an operation in progress can be cancelled.`);

/** No source shows the service's answer to a merge into a completed operation: the emulator's words. */
export const mergeCompleted = (name: string) =>
  badParameter(`The pending operation of certificate ${name} is completed: there is no request left to merge. Create a new version (issuer Unknown) to merge another certificate.`);

/**
 * The service's words for content it cannot read: a PKCS#12 that is not base64 (azure-sdk-for-net#9963,
 * the whole body), one that cannot be read (damienbod/AspNetCoreCertificates#38, terraform-provider-azurerm#15914;
 * a wrong password is answered alike: the service does not tell the two apart), PEM it does not read
 * (azure-cli#19017, the service's FAQ), no certificate with its private key (azure-sdk-for-java#31997, the
 * whole body), and a merge's x5c (azure-docs#100959; azure-powershell#24323 for one whose leaf is not found:
 * the leaf is the certificate of the pending key, so a certificate for another key is answered so too).
 */
const CONTENT_MESSAGES: Record<ContentProblem, string> = {
  base64: "The specified Base64-encoded PKCS#12 X.509 certificate content can not be read. Please check if certificate is valid, and is correctly Base64 encoded.",
  pkcs12: "The specified PKCS#12 X.509 certificate content can not be read. Please check if certificate is in valid PKCS#12 format.",
  pem: "The specified PEM X.509 certificate content is in an unexpected format. Please check if certificate is in valid PEM format.",
  noPrivateKey: "No certificate with private key found in the specified X.509 certificate content. Please specify X.509 certificate content with only one certificate containing private key.",
  x5cEmpty: "Property x5c has invalid value X5C must has at least one valid item",
  noLeaf: "Unable to parse X5c certificate chain and locate leaf certificate",
};

export const contentError = (problem: ContentProblem) => badParameter(CONTENT_MESSAGES[problem]);

/**
 * An import's policy without a content type (azure-sdk-for-go#21780, azure-cli#27220: the service
 * takes a policy only with secret_props.contentType, and says only this). Its "\r\n" is the service's.
 */
export const importPolicyInvalid = () => badParameter("Property policy has invalid value\r\n");

/** The service refuses an expired certificate (its certificates FAQ); its words are not given: the emulator's. */
export const expiredImport = (expiredOn: Date) =>
  badParameter(`The certificate expired on ${expiredOn.toISOString()}: Key Vault does not import an expired certificate. Import one that is still valid.`);

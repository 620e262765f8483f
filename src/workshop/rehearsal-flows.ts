/**
 * What `kvq rehearse` rehearses: each tutorial's flow, as its notebook runs it, and the limit of
 * the service that flow meets. The engine (rehearse.ts) is written once; a tutorial is one entry
 * of FLOWS: its kind, its limit, and its steps after "settings" and "name" (which every notebook
 * shares). Steps every notebook has alike (get, delete, reuse, recover, clean up) are written once
 * below, against the kind (kinds/); only what differs (create a key, set a secret, create a
 * certificate and read its key and secret) is the flow's.
 *
 * No SDK is loaded here until a flow runs (clients come from kinds/clients.ts), so the CLI can read
 * the tutorials' names and limits cheaply.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { CertificateClient } from "@azure/keyvault-certificates";
import type { KeyClient } from "@azure/keyvault-keys";
import type { KeyVaultSecret, SecretClient } from "@azure/keyvault-secrets";
import { cleanupRuns } from "../cleanup";
import type { ThrottleBucket } from "../emulator/routes";
import { t, type Messages } from "../i18n";
import { newObjectClient } from "../kinds/clients";
import type { KindId, ObjectKind, VaultObjectClient } from "../kinds/index";
import type { TutorialName } from "../notebook/tutorial-run";
import { objectState } from "../object-state";
import type { RunLedger } from "../run-ledger";
import { errorFacts } from "../vault-errors";

/** A step's id (the JSON report's); its name for people is the catalogs' (i18n: commands.rehearse.steps). */
export type StepName = keyof Messages["commands"]["rehearse"]["steps"];

/** One attendee's run, as the steps after "name" see it. */
export interface AttendeeRun<Client extends VaultObjectClient = VaultObjectClient> {
  attendee: string;
  client: Client;
  kind: ObjectKind<Client>;
  /** The free name the "name" step chose. */
  name: string;
  /** Tracks the name already; its tags go onto the object. */
  ledger: RunLedger;
  /** The pollers' interval: undefined is the SDK's 2 s, as in the notebook. */
  poll: { intervalInMs?: number };
  /** What the client was made with, for the other clients a step makes (the certificates notebook's KeyClient and SecretClient). */
  credential: TokenCredential;
  clientOptions: object;
  /** What each earlier step resolved with (the secrets flow's "versions" reads the first version "set" made). */
  earlier: Partial<Record<StepName, unknown>>;
  /** The reuse step met "the vault is busy" after all retries instead of the 409 (the notebook prints that and goes on). */
  sawBusyInsteadOfConflict(): void;
}

export interface FlowStep<Client extends VaultObjectClient = VaultObjectClient> {
  name: StepName;
  run(attendee: AttendeeRun<Client>): Promise<unknown>;
}

export interface TutorialFlow<Client extends VaultObjectClient = VaultObjectClient> {
  kind: KindId;
  /** The service's limit the flow meets, as the emulator's throttle counts it (emulator/routes.ts). */
  limit: ThrottleBucket;
  /** That limit on Azure, per vault per 10 s (FACTS.md §2; learn.microsoft.com, Key Vault service limits). */
  azureLimit: number;
  /**
   * Requests of one attendee that count against the limit. Measured, not guessed: a rehearsal of
   * one attendee counts them in the emulator, and test/workshop/rehearse.test.ts holds this to it.
   */
  requestsPerAttendee: number;
  /** Ready RSA keys the emulator keeps for the first creates (none when the flow creates no key). */
  keyPoolSize(attendees: number): number;
  /** The notebook's steps after "settings" and "name", in order. */
  steps: readonly FlowStep<Client>[];
}

// The steps every notebook has alike, once for every kind.

const get: FlowStep = { name: "get", run: ({ kind, client, name }) => kind.get(client, name) };

const remove: FlowStep = { name: "delete", run: ({ kind, client, name, poll }) => kind.delete(client, name, poll) };

/**
 * The notebook's reuse cell: only a soft-deleted object is tried again, and the try must meet the
 * 409 ObjectIsDeletedButRecoverable (a 429 after every retry is an answer the cell prints, too).
 */
function reuse<Client extends VaultObjectClient>(tryAgain: (a: AttendeeRun<Client>) => Promise<unknown>): FlowStep<Client> {
  return {
    name: "reuse (409)",
    async run(a) {
      const state = await objectState(a.client, a.name);
      if (state !== "soft-deleted") throw new Error(t().rehearse.expectedConflict(state));
      const outcome = await tryAgain(a).then(
        () => "created",
        (error) => errorFacts(error).innerCode ?? String(errorFacts(error).statusCode),
      );
      if (outcome === "429") a.sawBusyInsteadOfConflict();
      else if (outcome !== "ObjectIsDeletedButRecoverable") throw new Error(t().rehearse.expectedConflict(outcome));
    },
  };
}

/** Recover, whatever the notebook checks on the recovered object, then delete again. */
function recoverAndDelete(check?: FlowStep["run"]): FlowStep {
  return {
    name: "recover + delete",
    async run(a) {
      await a.kind.recover(a.client, a.name, a.poll);
      await check?.(a);
      await a.kind.delete(a.client, a.name, a.poll);
    },
  };
}

/**
 * The notebook's last cell: purge now (refused under purge protection or without the permission:
 * the cell goes on), then cleanupRuns for what is still recorded — whose failure fails the attendee.
 * Only this attendee's ledger: the others' runs are still going in this process.
 */
const cleanUp: FlowStep = {
  name: "clean up",
  async run({ kind, client, name, ledger, poll }) {
    await kind.purge(client, name).then(
      () => ledger.markCleaned(name, "purged", kind.id),
      () => undefined,
    );
    const [{ results }] = await cleanupRuns(client, [ledger], { pollIntervalMs: poll.intervalInMs });
    const failed = results.filter((r) => r.outcome === "failed");
    if (failed.length > 0) throw new Error(failed.map((r) => r.message).join("; "));
  },
};

/** A flow of one client type, kept with the others (the kinds' own registry casts the same way). */
const flow = <Client extends VaultObjectClient>(f: TutorialFlow<Client>): TutorialFlow => f as unknown as TutorialFlow;

/** The value an attendee's secret holds: made up, never printed. */
const madeUpValue = (attendee: string) => `a value made up for ${attendee}'s rehearsal`;

/** The certificates notebook's create: the SDK's default policy (self-signed), the poller followed to the end. */
async function createCertificate({ client, name, ledger, poll }: AttendeeRun<CertificateClient>): Promise<unknown> {
  const { DefaultCertificatePolicy } = require("@azure/keyvault-certificates") as typeof import("@azure/keyvault-certificates");
  return (await client.beginCreateCertificate(name, DefaultCertificatePolicy, { tags: ledger.tags, ...poll })).pollUntilDone();
}

/**
 * One name, three objects: the notebook reads the certificate's key with a KeyClient and signs with
 * it (CryptographyClient), and reads its secret — the certificate with its private key — with a
 * SecretClient (the value is dropped here, never printed).
 */
async function keyAndSecret({ client, name, credential, clientOptions }: AttendeeRun<CertificateClient>): Promise<void> {
  const { CryptographyClient } = require("@azure/keyvault-keys") as typeof import("@azure/keyvault-keys");
  const key = await (newObjectClient("key", client.vaultUrl, credential, clientOptions) as KeyClient).getKey(name);
  await new CryptographyClient(key, credential, clientOptions).signData("RS256", Buffer.from(`signed with ${name}`));
  await (newObjectClient("secret", client.vaultUrl, credential, clientOptions) as SecretClient).getSecret(name);
}

/** The tutorials rehearsed: the notebooks' names, and the certificates quickstart's, whose notebook is being written (issue 28). */
type Tutorial = TutorialName | "certificates-quickstart";

export const FLOWS = {
  /** notebooks/quickstart.ipynb: the keys quickstart. */
  quickstart: flow<KeyClient>({
    kind: "key",
    limit: "keyCreates",
    azureLimit: 20,
    // The key, and the deliberate 409 of the reuse step (a create the vault counts, then refuses).
    requestsPerAttendee: 2,
    keyPoolSize: (attendees) => Math.min(8, attendees),
    steps: [
      { name: "create", run: ({ client, name, ledger }) => client.createRsaKey(name, { keySize: 2048, tags: ledger.tags }) },
      get,
      remove,
      reuse<KeyClient>(({ client, name, ledger }) => client.createRsaKey(name, { keySize: 2048, tags: ledger.tags })),
      recoverAndDelete(),
      cleanUp,
    ],
  }),
  /** notebooks/secrets-quickstart.ipynb: every request to the secrets data plane is a secret transaction. */
  "secrets-quickstart": flow<SecretClient>({
    kind: "secret",
    limit: "secretTransactions",
    azureLimit: 4000,
    // Measured with the SDK's 2-s pollers, as the notebook runs: name 2 (live? deleted?), set 1,
    // get 1, versions 4, delete 4 (the poller reads twice at once, then after 2 s), reuse 3 (state 2,
    // the 409), recover 5, read back 1, delete 4, purge 1. The pollers' reads vary by one or two with timing.
    requestsPerAttendee: 26,
    keyPoolSize: () => 0,
    steps: [
      { name: "set", run: ({ client, name, ledger, attendee }) => client.setSecret(name, madeUpValue(attendee), { tags: ledger.tags }) },
      get,
      {
        name: "versions",
        async run({ client, name, ledger, attendee, earlier }) {
          const first = earlier.set as KeyVaultSecret;
          const second = await client.setSecret(name, madeUpValue(attendee), { tags: ledger.tags, contentType: "text/plain" });
          await client.getSecret(name, { version: first.properties.version });
          await client.updateSecretProperties(name, second.properties.version!, {
            tags: { ...ledger.tags, purpose: "quickstart" },
            expiresOn: new Date(Date.now() + 90 * 86_400_000),
          });
          for await (const _ of client.listPropertiesOfSecretVersions(name));
        },
      },
      remove,
      reuse<SecretClient>(({ client, name, ledger, attendee }) => client.setSecret(name, madeUpValue(attendee), { tags: ledger.tags })),
      // The notebook reads the value back to show it survived.
      recoverAndDelete(get.run),
      cleanUp,
    ],
  }),
  /** notebooks/certificates-quickstart.ipynb: a certificate, and the key and secret that share its name. */
  "certificates-quickstart": flow<CertificateClient>({
    kind: "certificate",
    // A certificate create makes the certificate's key: the emulator counts it with the key creates (routes.ts).
    limit: "keyCreates",
    // Azure's service limits page names no limit for creating a certificate (only for importing one,
    // with secret creates and key imports, 300): its key is a software RSA-2048 key, whose creates
    // are 20 per 10 s. Its other requests (reads, the pollers', sign) count against the 4,000.
    azureLimit: 20,
    // Measured: the certificate's create, and the deliberate 409 of the reuse step (a create the vault
    // counts, then refuses) — as in the keys quickstart.
    requestsPerAttendee: 2,
    keyPoolSize: (attendees) => Math.min(8, attendees),
    steps: [
      { name: "create", run: createCertificate },
      get as FlowStep<CertificateClient>,
      { name: "key + secret", run: keyAndSecret },
      remove as FlowStep<CertificateClient>,
      reuse<CertificateClient>(createCertificate),
      recoverAndDelete() as FlowStep<CertificateClient>,
      cleanUp as FlowStep<CertificateClient>,
    ],
  }),
} satisfies Partial<Record<Tutorial, TutorialFlow>>;

export type RehearsalTutorial = keyof typeof FLOWS;
export const REHEARSAL_TUTORIALS = Object.keys(FLOWS) as RehearsalTutorial[];

/** Every step of a tutorial's rehearsal, in order: the two every notebook starts with, then its own. */
export const stepsOf = (tutorial: RehearsalTutorial): StepName[] => ["settings", "name", ...FLOWS[tutorial].steps.map((s) => s.name)];

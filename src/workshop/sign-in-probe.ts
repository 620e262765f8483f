/**
 * Gets a token the way the notebook will, and finds out which credential in
 * DefaultAzureCredential's chain produced it. The chain logs "Result for <Credential>: SUCCESS" at
 * info level; listening to that log is the only way to learn it without rebuilding the chain.
 */
import { AzureLogger, getLogLevel, setLogLevel, type AzureLogLevel } from "@azure/logger";
import type { TokenCredential } from "@azure/identity";

export interface SignInProbe {
  /** e.g. "AzureCliCredential", when the chain says. */
  credentialName?: string;
  expiresOn: Date;
}

export async function probeSignIn(credential: TokenCredential, scope = "https://vault.azure.net/.default"): Promise<SignInProbe> {
  const previousLevel = getLogLevel() as AzureLogLevel | undefined;
  const previousLog = AzureLogger.log;
  let credentialName: string | undefined;
  AzureLogger.log = (...args: unknown[]) => {
    const match = /Result for (\w+): SUCCESS/.exec(args.map(String).join(" "));
    if (match) credentialName = match[1];
  };
  setLogLevel("info");
  try {
    const token = await credential.getToken(scope);
    if (!token) throw new Error("The credential returned no token.");
    return { credentialName, expiresOn: new Date(token.expiresOnTimestamp) };
  } finally {
    AzureLogger.log = previousLog;
    setLogLevel(previousLevel);
  }
}

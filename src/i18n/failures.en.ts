/** Why a vault cannot be reached, and what to do: the named failures of vault-unreachable.ts, in English. Part of the `en` catalog. */
export const failuresEn = {
  /** The error's own message: "Could not reach https://localhost:47443 (connection refused)." */
  unreachable: (url: string, what: string) => `Could not reach ${url} (${what}).`,
  what: {
    refused: "connection refused",
    hostNotFound: "host name not found",
    tls: "its TLS certificate is not trusted",
    dropped: "the connection was dropped or timed out",
  },
  causes: {
    emulatorNotRunning: {
      meaning: (url: string) => `Nothing answers at ${url}: the local emulator is not running.`,
      fix: "Start it in another terminal and keep it running: npm run emulator (it writes .env). Then run this again. (npm start needs none: it runs the tutorial with an emulator of its own.)",
    },
    emulatorOtherPort: {
      meaning: (url: string, running: string) => `The emulator is running at ${running}, but your settings say ${url}.`,
      fix: (running: string, identityEndpoint?: string) =>
        `Set KEY_VAULT_URL=${running}${identityEndpoint ? ` and IDENTITY_ENDPOINT=${identityEndpoint}` : ""} in .env — or stop the emulator and start it with npm run emulator, which writes .env for you. In Jupyter, restart the kernel after changing .env.`,
    },
    refused: {
      meaning: (url: string) => `Nothing answers at ${url}: the port is wrong, or a firewall or proxy refuses the connection.`,
      fix: "Check the vault URL (Azure vaults use https://<name>.vault.azure.net, no port), and your network or proxy settings.",
    },
    vaultNotFound: {
      meaning: (host: string) => `No vault named ${host.split(".")[0]} exists: the name ${host} is not in DNS (or there is no network).`,
      fix: "Check the vault's name against `az keyvault list -o table` and correct KEY_VAULT_NAME / KEY_VAULT_URL in .env; check that this machine is online.",
    },
    hostTypo: {
      meaning: (host: string) => `The host ${host} does not exist: it is not a Key Vault address (they end in .vault.azure.net, .vault.azure.cn or .vault.usgovcloudapi.net).`,
      fix: "Correct the spelling of KEY_VAULT_URL in .env, or set KEY_VAULT_NAME=<your-vault-name> instead and let the helpers build the URL.",
    },
    tlsEmulator: {
      meaning: "The emulator's TLS certificate is not signed by the CA that KVQ_EMULATOR_CA names: .env is from another emulator state folder.",
      fix: "Restart the emulator with npm run emulator (it rewrites .env), then run again. Never turn TLS verification off.",
    },
    tls: {
      meaning: "The vault's TLS certificate is not trusted: a proxy on your network probably replaces it with its own.",
      fix: "Ask for your network's root CA and point NODE_EXTRA_CA_CERTS at it (a PEM file), then run again. Never turn TLS verification off.",
    },
    dropped: {
      meaning: (url: string) => `The connection to ${url} was cut off or timed out several times.`,
      fix: "Check your network, VPN or proxy, and that the vault allows your network (its firewall), then run again.",
    },
  },
  /** A cell that needs a variable an earlier cell defines (after a kernel restart, or cells run out of order). */
  missingEarlierCell: (name: string) =>
    `${name} is not defined in this kernel: the cell that defines it has not run yet — after a kernel restart the kernel forgets everything. ` +
    `Run the cells above first (Jupyter: Cell ▸ Run All Above; JupyterLab: Run ▸ Run All Above Selected Cell; VS Code: Execute Above Cells), then this one. If ${name} is a name of your own, check its spelling.`,
  /** The CLI's last line for an error from the environment (network, sign-in, permissions), not from kvq. */
  environmentFailure: (description: string) => `kvq: ${description}`,
};

/** 無法連線到金鑰保存庫的原因與修正方式（vault-unreachable.ts 的具名失敗），繁體中文。`zhTW` 目錄的一部分。 */
import type { failuresEn } from "./failures.en";

export const failuresZhTW: typeof failuresEn = {
  unreachable: (url, what) => `無法連線到 ${url}（${what}）。`,
  what: {
    refused: "連線被拒",
    hostNotFound: "找不到主機名稱",
    tls: "其 TLS 憑證不受信任",
    dropped: "連線中斷或逾時",
  },
  causes: {
    emulatorNotRunning: {
      meaning: (url) => `${url} 沒有回應：本機模擬器沒有在執行。`,
      fix: "在另一個終端機啟動它並保持執行：npm run emulator（它會寫入 .env），然後再執行一次。（npm start 不需要它：它會用自己的模擬器執行教學。）",
    },
    emulatorOtherPort: {
      meaning: (url, running) => `模擬器正在 ${running} 執行，但您的設定是 ${url}。`,
      fix: (running, identityEndpoint) =>
        `在 .env 設定 KEY_VAULT_URL=${running}${identityEndpoint ? ` 和 IDENTITY_ENDPOINT=${identityEndpoint}` : ""}——或停止模擬器，改用 npm run emulator 啟動，它會替您寫好 .env。在 Jupyter 中，修改 .env 後請重新啟動核心。`,
    },
    refused: {
      meaning: (url) => `${url} 沒有回應：連接埠錯誤，或防火牆、Proxy 拒絕了連線。`,
      fix: "檢查保存庫 URL（Azure 保存庫是 https://<名稱>.vault.azure.net，沒有連接埠），以及您的網路或 Proxy 設定。",
    },
    vaultNotFound: {
      meaning: (host) => `沒有名為 ${host.split(".")[0]} 的保存庫：DNS 中沒有 ${host}（或沒有網路）。`,
      fix: "用 `az keyvault list -o table` 核對保存庫名稱，修正 .env 中的 KEY_VAULT_NAME / KEY_VAULT_URL；並確認這台電腦有連上網路。",
    },
    hostTypo: {
      meaning: (host) => `主機 ${host} 不存在：這不是金鑰保存庫的位址（它們以 .vault.azure.net、.vault.azure.cn 或 .vault.usgovcloudapi.net 結尾）。`,
      fix: "修正 .env 中 KEY_VAULT_URL 的拼字，或改設 KEY_VAULT_NAME=<您的保存庫名稱>，讓輔助程式組出 URL。",
    },
    tlsEmulator: {
      meaning: "模擬器的 TLS 憑證不是由 KVQ_EMULATOR_CA 指定的 CA 所簽發：.env 來自另一個模擬器狀態資料夾。",
      fix: "用 npm run emulator 重新啟動模擬器（它會重寫 .env），然後再執行一次。切勿關閉 TLS 驗證。",
    },
    tls: {
      meaning: "保存庫的 TLS 憑證不受信任：您網路上的 Proxy 可能以自己的憑證取代了它。",
      fix: "向網路管理員索取根 CA，將 NODE_EXTRA_CA_CERTS 指向它（PEM 檔），然後再執行一次。切勿關閉 TLS 驗證。",
    },
    dropped: {
      meaning: (url) => `與 ${url} 的連線多次中斷或逾時。`,
      fix: "檢查您的網路、VPN 或 Proxy，以及保存庫的防火牆是否允許您的網路，然後再執行一次。",
    },
  },
  missingEarlierCell: (name) =>
    `這個核心中沒有定義 ${name}：定義它的儲存格還沒有執行——核心重新啟動後會忘記一切。` +
    `請先執行上方的儲存格（Jupyter：Cell ▸ Run All Above；JupyterLab：Run ▸ Run All Above Selected Cell；VS Code：Execute Above Cells），再執行這一格。如果 ${name} 是您自己取的名稱，請檢查拼字。`,
  environmentFailure: (description) => `kvq：${description}`,
};

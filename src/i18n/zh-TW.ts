/**
 * The messages learners meet, in Traditional Chinese as written in Taiwan. Typed as the English
 * catalog's shape, so every key exists here too.
 *
 * Terms follow Microsoft Learn's zh-TW pages (金鑰保存庫, 金鑰, 虛刪除, 清除, 清除保護, 復原, 保留期間,
 * 服務主體, 受控識別, 角色指派, 存取原則, 租用戶, 用戶端, 認證, 模擬器, 權杖 …). Commands, variable names,
 * codes and URLs stay exactly as in English; prose uses full-width punctuation (，。：「」（）),
 * code keeps its own.
 */
import type { Messages } from "./en";
import { failuresZhTW } from "./failures.zh-TW";
import { runnerZhTW } from "./runner.zh-TW";
import { workshopZhTW } from "./workshop.zh-TW";

/** "A、B 和 C": how a list of names reads in a sentence. */
const list = (items: string[]) => (items.length <= 1 ? items.join("") : `${items.slice(0, -1).join("、")} 和 ${items[items.length - 1]}`);
const KIND_WORDS = { key: "金鑰", secret: "祕密", certificate: "憑證" };
/** How each kind is counted: 2 把金鑰, 1 個祕密, 3 張憑證. */
const MEASURE_WORDS = { key: "把", secret: "個", certificate: "張" };
/** 4000 → "4,000" (Taiwan groups digits as English does). */
const count = (n: number) => n.toLocaleString("en-US");
const RULE = "長度 1 到 127 個字元，只能使用英文字母（a-z、A-Z）、數字（0-9）和連字號（-）";
const kept = (days: number | undefined, kind: keyof typeof KIND_WORDS) => `已刪除的${KIND_WORDS[kind]}會保留${days ? ` ${days} 天` : "到保存庫的保留期間結束"}`;
const quoted = (characters: string[]) => characters.map((c) => (c === " " ? "空格" : `「${c}」`)).join("、");

export const zhTW: Messages = {
  common: {
    fixPrefix: "解決方式：",
    interrupted: "已停止：這個儲存格還沒執行完就被中斷了。",
  },

  env: {
    noVault: {
      message: (variables) => `${variables.join("、")} 都沒有設定，所以沒有可以連線的金鑰保存庫。`,
      fix: "若要用本機模擬器，請執行 `npm run emulator`（它會幫你寫好 .env）。若要連 Azure，請在 .env 加上 KEY_VAULT_NAME=<your-vault-name>，詳細步驟請看 setup.zh-TW.md。",
    },
    cloudMismatch: {
      message: (variable, vaultCloud, settingCloud) => `${variable} 指向 ${vaultCloud}，但 AZURE_CLOUD 設定的卻是 ${settingCloud}。`,
      fix: "請移除 AZURE_CLOUD，或把它改成保存庫所在的雲端。",
    },
    variablesDisagree: {
      message: (winner, other, vaultUrl) => `${winner} 和 ${other} 指向不同的保存庫，目前以 ${winner} 為準（${vaultUrl}）。`,
      fix: (other) => `請移除 ${other}，或讓它指向同一個保存庫。`,
    },
    cloudUnknown: {
      message: (value) => `AZURE_CLOUD 的值是「${value}」，這不是雲端的名稱。`,
      fix: "請使用 AzureCloud、AzureChinaCloud 或 AzureUSGovernment（也就是 `az cloud list` 列出的名稱），或直接移除這個變數。",
    },
    envFileUnreadable: {
      message: (file, reason) => `無法讀取 ${file}：${reason}`,
      fix: "請檢查檔案權限；或是刪掉它，再執行 `npm run emulator` 重新產生一份。",
    },
    envShadowed: {
      message: (variable, file) => `${variable} 已經在環境中設定了（來自你的殼層，或啟動這個程式的程式），所以不會採用 ${file} 裡的值。`,
      fix: (variable) => `如果你要的是 .env 裡的值，請在殼層中取消設定 ${variable}（unset ${variable}），再重新啟動核心。`,
    },
    localEmulator: "本機模擬器",
    configurationError: {
      heading: (count) => `環境設定有 ${count} 個問題：`,
      thenRerun: (count) => (count === 1 ? "修正之後，請重新執行這個儲存格。" : "全部修正之後，請重新執行這個儲存格。"),
    },
    describe: {
      vault: "保存庫：",
      where: "位置：",
      signIn: "登入方式：",
      settings: "設定檔：",
      vaultFrom: (vaultUrl, variable) => `${vaultUrl}（取自 ${variable}）`,
    },
  },

  vaultUrl: {
    clouds: {
      AzurePublicCloud: "Azure 公用雲端",
      AzureChinaCloud: "Azure 中國（由 21Vianet 營運）",
      AzureUSGovernment: "Azure 美國政府雲端",
    },
    nameIsUrl: {
      message: (variable, name) => `${variable} 的值是「${name}」，看起來是網址或主機名稱，而不是金鑰保存庫的名稱。`,
      fix: (variable) => `請把保存庫的網址改放在 KEY_VAULT_URL；或是把 ${variable} 設成單純的名稱（也就是 .vault.azure.net 前面那一段）。`,
    },
    nameLength: {
      message: (name, length) => `保存庫名稱「${name}」有 ${length} 個字元，但金鑰保存庫的名稱必須是 3 到 24 個字元。`,
      fix: '請填入保存庫的確切名稱（可以用 az keyvault list --query "[].name" -o tsv 查詢）。',
    },
    nameCharacters: {
      message: (name, characters) => `保存庫名稱「${name}」含有${quoted(characters)}，但名稱只能使用英文字母、數字和連字號。`,
      fix: "請填入保存庫的確切名稱，它只會有英文字母、數字和連字號。",
    },
    nameStart: {
      message: (name, first) => `保存庫名稱「${name}」的開頭是「${first}」，但名稱一定要以英文字母開頭。`,
      fix: "請填入保存庫的確切名稱，它一定是英文字母開頭。",
    },
    nameEnd: {
      message: (name, last) => `保存庫名稱「${name}」的結尾是「${last}」，但名稱的最後一個字元必須是英文字母或數字。`,
      fix: "請填入保存庫的確切名稱，它一定是英文字母或數字結尾。",
    },
    nameDoubleDash: {
      message: (name) => `保存庫名稱「${name}」含有「--」，名稱裡不能有連續的連字號。`,
      fix: "請填入保存庫的確切名稱，它不會有連續兩個連字號。",
    },
    inVariable: (variable, message) => `${variable} 中的${message}`,
    urlIsName: {
      message: (variable, text) => `${variable} 的值是「${text}」，這是名稱，不是網址。`,
      fix: (variable, name) => `請設定 ${variable}=https://${name}.vault.azure.net，或改把名稱放在 KEY_VAULT_NAME。`,
    },
    urlInvalid: {
      message: (variable, text) => `${variable} 的值「${text}」不是網址。`,
      fix: (variable) => `請把 ${variable} 設成保存庫的網址，例如 https://<vault-name>.vault.azure.net（可以用 az keyvault show -n <vault-name> --query properties.vaultUri -o tsv 查詢）。`,
      didYouMean: (variable, url) => `您是指 ${variable}=${url} 嗎？請在 .env 中修正（網址以 https:// 開頭），然後再執行一次。`,
    },
    notHttps: {
      message: (variable, protocol) => `${variable} 用的是 ${protocol}//，但 Key Vault（以及本機模擬器）只接受 HTTPS。`,
      fix: (httpsUrl) => `請改成 ${httpsUrl}`,
    },
    hasPath: (variable, text, path) => `${variable} 的值「${text}」帶有路徑（${path}），但用戶端只需要保存庫的基底網址。`,
    extra: (variable) => `${variable} 帶有查詢字串、片段或使用者名稱，但用戶端只需要保存庫的基底網址。`,
    useBaseUrl: (variable, baseUrl) => `請設定 ${variable}=${baseUrl}`,
    unknownHost: {
      message: (variable, host) => `${variable} 的主機「${host}」不是 Key Vault 的主機（*.vault.azure.net、*.vault.azure.cn、*.vault.usgovcloudapi.net）。`,
      fix: "如果這不是刻意的設定（例如經過 Proxy 或自訂的 DNS 名稱），請從這個命令的輸出複製網址：az keyvault show -n <vault-name> --query properties.vaultUri -o tsv",
    },
  },

  signIn: {
    tokenCredentialsUnknown: {
      message: (value) => `AZURE_TOKEN_CREDENTIALS 的值是「${value}」，DefaultAzureCredential 不認得這個值。`,
      fix: '請改用 "dev"、"prod" 或某個認證的名稱（例如 "azureclicredential"），或乾脆移除這個變數。',
    },
    emulatorVariableMissing: {
      message: (variable) => `保存庫是本機模擬器，但沒有設定 ${variable}，所以無處取得權杖。`,
      fix: "請用 `npm run emulator` 啟動模擬器（它會把 IDENTITY_ENDPOINT、IDENTITY_HEADER 等變數寫進 .env），然後重新載入 .env。",
    },
    emulatorCaMissing: {
      message: "保存庫是本機模擬器，但 KVQ_EMULATOR_CA 沒有指向它的 CA 憑證，所以無法驗證 TLS。",
      fix: "請用 `npm run emulator` 啟動模擬器，它會把 KVQ_EMULATOR_CA 寫進 .env。",
    },
    emulatorCaNotFound: {
      message: (variable, file) => `${variable} 指向 ${file}，但這個檔案不存在。`,
      fix: "請先啟動一次模擬器（`npm run emulator`）：它會在那裡建立 CA，並重新寫入 .env。",
    },
    emulatorCaIsFolder: {
      message: (variable, folder) => `${variable} 指向 ${folder}，這是資料夾，不是模擬器的 CA 憑證。`,
      fix: (variable) =>
        `請把 ${variable} 設成憑證檔本身：模擬器狀態資料夾裡 tls 資料夾中的 ca.pem（沒有用 --state 啟動時是 .kvq/emulator/tls/ca.pem）；或用 \`npm run emulator\` 重新啟動模擬器，它會把路徑寫進 .env。`,
    },
    emulatorCaUnreadable: {
      message: (variable, file, code) => `${variable} 指向 ${file}，但這個檔案無法讀取（${code}）。`,
      fix: (file) => `請讓自己有讀取權限（這是模擬器的 CA 憑證，不是機密），例如 chmod u+r ${file}；或刪除它再啟動一次模擬器（\`npm run emulator\`），它會重新建立一個。`,
    },
    emulatorWithServicePrincipal: {
      message: "AZURE_CLIENT_ID、AZURE_TENANT_ID 和 AZURE_CLIENT_SECRET 都有設定，所以 DefaultAzureCredential 會以那個服務主體的身分登入 Entra ID，而不是向模擬器的權杖端點取得權杖。",
      fix: "請設定 AZURE_TOKEN_CREDENTIALS=managedidentitycredential（npm run emulator 會寫入這一行），或移除服務主體的那幾個變數。",
    },
    emulatorVariablesWithAzureVault: {
      message: (variables) => `保存庫在 Azure 上，但模擬器的登入變數還留著（${variables.join("、")}）：認證會跑去向模擬器要權杖，而 Azure 不會接受這種權杖。`,
      fix: (variables) => `請從 .env（以及你的殼層）移除 ${variables.join("、")}，然後重新啟動核心或重新執行。`,
    },
    managedIdentityOnly: {
      message: "AZURE_TOKEN_CREDENTIALS=managedidentitycredential：只會嘗試受控識別，而受控識別只存在於 Azure 上的運算資源，你的筆電上並沒有。",
      fix: "在自己的電腦上，請移除 AZURE_TOKEN_CREDENTIALS（或設成 dev），再用 `az login` 登入。",
    },
    servicePrincipalInUse: {
      message: (secretVariable, clientId) =>
        `AZURE_CLIENT_ID、AZURE_TENANT_ID 和 ${secretVariable} 都有設定，所以 DefaultAzureCredential 會以服務主體 ${clientId} 的身分登入，而不是你用 az login 登入的帳戶（在它的認證鏈裡，EnvironmentCredential 排在第一個）。`,
      fix: "如果你是照 2020 年版的快速入門建立了服務主體，這樣就對了。如果你原本想用 az login，請從 .env 和殼層移除 AZURE_CLIENT_ID、AZURE_TENANT_ID 和 AZURE_CLIENT_SECRET。",
    },
    environmentCredentialIncomplete: {
      message: "AZURE_TOKEN_CREDENTIALS=environmentcredential，但服務主體的變數沒有全部設定。",
      fix: "請設定 AZURE_CLIENT_ID、AZURE_TENANT_ID 和 AZURE_CLIENT_SECRET；或移除 AZURE_TOKEN_CREDENTIALS，改用 az login 登入。",
    },
    servicePrincipalIncomplete: {
      message: (present, missing) => `已設定 ${list(present)}，卻缺少 ${list(missing)}，所以 DefaultAzureCredential 無法以服務主體登入，會改試其他登入方式。`,
      fix: (missing, present) => `若要使用服務主體，請設定 ${list(missing)}（az ad sp create-for-rbac 會印出這些值）。若要改用 az login，請移除 ${list(present)}。`,
    },
    describe: {
      emulator: "受控識別，由本機模擬器的權杖端點提供",
      managedIdentity: "受控識別（Azure 上的運算資源）",
      developer: "你自己的帳戶：Azure CLI（az login），或是已登入的 VS Code、Azure PowerShell、azd",
      servicePrincipal: (clientId) => `服務主體 ${clientId}（EnvironmentCredential）`,
      workloadIdentity: (clientId) => `工作負載身分識別 ${clientId}（AZURE_FEDERATED_TOKEN_FILE）`,
    },
  },

  kinds: KIND_WORDS,

  keyNames: {
    rule: RULE,
    empty: (noun) => `${noun}名稱不能是空的。規則是：${RULE}。`,
    tooLong: (start, length, max, noun) => `「${start}…」有 ${length} 個字元，但${noun}名稱最多只能有 ${max} 個字元。`,
    characters: (name, characters, noun) => `「${name}」含有${quoted(characters)}，不符合${noun}名稱的規則：${RULE}。`,
    exists: (name, noun) => `已經有名為 ${name} 的${noun}（再${noun === "祕密" ? "設定" : "建立"}一次只會替它新增一個版本）`,
    softDeleted: (name, purgeDate, noun) => `名為 ${name} 的${noun}已被虛刪除，${purgeDate ? `在 ${purgeDate} 被清除之前` : "在被清除之前"}這個名稱都還被它占用`,
    inTransition: (name, state, noun) => `名為 ${name} 的${noun}${state === "being-deleted" ? "正在刪除中" : "正在復原中"}，這個名稱還被它占用`,
    heldByOther: (name, other, state, purgeDate, noun) =>
      `${state === "live" ? `已經有名為 ${name} 的${other}` : state === "soft-deleted" ? `名為 ${name} 的${other}已被虛刪除，${purgeDate ? `在 ${purgeDate} 被清除之前` : "在被清除之前"}這個名稱都還被它占用` : `名為 ${name} 的${other}${state === "being-deleted" ? "正在刪除中" : "正在復原中"}`}，而${noun}自己的金鑰和祕密也要用這個名稱`,
    noFreeName: (tries, names) => `試了 ${tries} 個名稱都不能用（${names.join("、")}）。請換一個前置詞。`,
  },

  keyState: {
    live: (name) => `${name} 還在使用中：請先執行「刪除金鑰」（現在再建立一次只會替它新增一個版本）。`,
    "being-deleted": (name) =>
      `${name} 還在刪除中：保存庫已經接受刪除，但還沒完成（完成之前，它既不算使用中也不算已刪除，而且拒絕再建立這個名稱：409 ObjectIsBeingDeleted）。請等幾秒鐘，再執行這一步一次。`,
    "soft-deleted": (name) => `${name} 已被虛刪除：可以復原，在被清除之前這個名稱都被它占用。`,
    "being-recovered": (name) => `${name} 正在復原中：保存庫已經接受復原，但還沒完成。請等幾秒鐘，再依序執行「刪除金鑰」和這一步。`,
    absent: (name) => `沒有名為 ${name} 的金鑰，使用中或已刪除的都沒有：請先執行「建立 RSA 金鑰」和「刪除金鑰」。`,
  },

  secretState: {
    live: (name) => `${name} 還在使用中：請先執行「刪除祕密」（現在再設定一次只會替它新增一個版本）。`,
    "being-deleted": (name) =>
      `${name} 還在刪除中：保存庫已經接受刪除，但還沒完成（完成之前，它既不算使用中也不算已刪除，而且拒絕再設定這個名稱：409 ObjectIsBeingDeleted）。請等幾秒鐘，再執行這一步一次。`,
    "soft-deleted": (name) => `${name} 已被虛刪除：可以復原，在被清除之前這個名稱都被它占用。`,
    "being-recovered": (name) => `${name} 正在復原中：保存庫已經接受復原，但還沒完成。請等幾秒鐘，再依序執行「刪除祕密」和這一步。`,
    absent: (name) => `沒有名為 ${name} 的祕密，使用中或已刪除的都沒有：請先執行「設定祕密」和「刪除祕密」。`,
  },

  certificateState: {
    live: (name) => `${name} 還在使用中：請先執行「刪除憑證」（現在再建立一次只會替它新增一個版本）。`,
    "being-deleted": (name) =>
      `${name} 還在刪除中：保存庫已經接受刪除，但還沒完成（完成之前，它既不算使用中也不算已刪除，而且拒絕再建立這個名稱：409 ObjectIsBeingDeleted）。請等幾秒鐘，再執行這一步一次。`,
    "soft-deleted": (name) => `${name} 已被虛刪除，連同它的金鑰和祕密：可以復原，在被清除之前這個名稱都被它占用。`,
    "being-recovered": (name) => `${name} 正在復原中：保存庫已經接受復原，但還沒完成。請等幾秒鐘，再依序執行「刪除憑證」和這一步。`,
    absent: (name) => `沒有名為 ${name} 的憑證，使用中或已刪除的都沒有：請先執行「建立憑證」和「刪除憑證」。`,
  },

  cleanup: {
    stillBeingDeleted: (name) => `${name}：等了一陣子還在刪除中，先留在這次執行的記錄裡。請過一分鐘再執行 npx kvq cleanup --yes。`,
    purged: (name) => `${name}：已刪除並清除。`,
    alreadyGone: (name, noun) => `${name}：保存庫裡沒有這個${noun}，使用中或已刪除的都沒有（從未建立，或已經清除），不需要清理。`,
    awaitingPurge: (name, purgeDate) =>
      `${name}：已刪除。這個保存庫啟用了清除保護，所以現在無法清除；` +
      `服務會${purgeDate ? `在 ${purgeDate} ` : "在保留期間結束時"}自動清除它，在那之前這個名稱都會被占用。`,
    leftAlone: (name) => `${name}：不動它──它沒有這次教學執行的標籤，所以不是本教學建立的。`,
    managedByCertificate: (name, noun) => `${name}：不動它──這個${noun}是同名憑證 ${name} 自己的（managed）：它會隨著憑證一起刪除、復原和清除，不能單獨清理。`,
    explained: (meaning, fix) => `${meaning}解決方式：${fix}`,
    failed: (name, message) => `清理 ${name} 失敗：${message}`,
  },

  errors: {
    meaningPrefix: "這代表：",
    rules: {
      ObjectIsDeletedButRecoverable: {
        meaning: "有一把已虛刪除的金鑰還占用著這個名稱：在它被復原或清除（或保留期間結束）之前，這個名稱都不能再用。",
        fix: "復原它（beginRecoverDeletedKey）、清除它（purgeDeletedKey），或換個名稱──chooseKeyName 會幫你挑一個沒被占用的。",
      },
      SecretIsDeletedButRecoverable: {
        meaning: "有一個已虛刪除的祕密還占用著這個名稱：在它被復原或清除（或保留期間結束）之前，這個名稱都不能再用。",
        fix: "復原它（beginRecoverDeletedSecret）、清除它（purgeDeletedSecret），或換個名稱──chooseSecretName 會幫你挑一個沒被占用的。",
      },
      CertificateIsDeletedButRecoverable: {
        meaning: "有一張已虛刪除的憑證（連同它的金鑰和祕密）還占用著這個名稱：在它被復原或清除（或保留期間結束）之前，這個名稱都不能再用。",
        fix: "復原它（beginRecoverDeletedCertificate）、清除它（purgeDeletedCertificate），或換個名稱──chooseCertificateName 會幫你挑一個沒被占用的。",
      },
      ObjectIsBeingDeleted: {
        meaning: "這把金鑰還在刪除中；接下來幾秒內，它的名稱既不能重複使用，也不能清除。",
        fix: "稍等一下再試一次（清理步驟會自己重試）。",
      },
      PurgeProtection: {
        meaning: "這個保存庫啟用了清除保護：已刪除的金鑰無法手動清除，要等保留期間結束後由服務自動清除。",
        fix: "不需要做任何事：金鑰會維持虛刪除狀態，直到排定的清除日期。如果教學要反覆執行，請改用沒有啟用清除保護的保存庫。",
      },
      ForbiddenByRbac: {
        meaning: (action) => `你登入的身分在這個保存庫上沒有允許這項操作的角色${action ? `（需要：${action}）` : ""}。`,
        fix: '請在保存庫上替自己指派「Key Vault Crypto Officer」角色：az role assignment create --role "Key Vault Crypto Officer" --assignee <your-upn> --scope <vault resource id>。角色指派要過幾分鐘才會生效。',
      },
      SecretForbiddenByRbac: {
        meaning: (action) => `你登入的身分在這個保存庫的祕密上沒有允許這項操作的角色${action ? `（需要：${action}）` : ""}。`,
        fix: '請在保存庫上替自己指派「Key Vault Secrets Officer」角色：az role assignment create --role "Key Vault Secrets Officer" --assignee <your-upn> --scope <vault resource id>。角色指派要過幾分鐘才會生效。',
      },
      CertificateForbiddenByRbac: {
        meaning: (action) => `你登入的身分在這個保存庫的憑證上沒有允許這項操作的角色${action ? `（需要：${action}）` : ""}。`,
        fix: '請在保存庫上替自己指派「Key Vault Certificates Officer」角色：az role assignment create --role "Key Vault Certificates Officer" --assignee <your-upn> --scope <vault resource id>。角色指派要過幾分鐘才會生效。',
      },
      CertificateForbiddenByPolicy: {
        meaning: (permission) => `這個保存庫使用存取原則，而你的存取原則缺少一項憑證權限${permission ? `（${permission}）` : ""}。`,
        fix: "請執行 az keyvault set-policy --name <vault> --upn <you> --certificate-permissions get list create delete recover purge（服務主體請把 --upn <you> 換成 --spn <client id>）。",
      },
      SecretForbiddenByPolicy: {
        meaning: (permission) => `這個保存庫使用存取原則，而你的存取原則缺少一項祕密權限${permission ? `（${permission}）` : ""}。`,
        fix: "請執行 az keyvault set-policy --name <vault> --upn <you> --secret-permissions get list set delete recover purge（服務主體請把 --upn <you> 換成 --spn <client id>）。",
      },
      ForbiddenByPolicy: {
        meaning: (permission) => `這個保存庫使用存取原則，而你的存取原則缺少一項金鑰權限${permission ? `（${permission}）` : ""}。`,
        fix: "請執行 az keyvault set-policy --name <vault> --upn <you> --key-permissions get list create delete recover purge（服務主體請把 --upn <you> 換成 --spn <client id>）。",
      },
      ForbiddenByFirewall: {
        meaning: "保存庫的防火牆不允許你目前的網路位址。",
        fix: "請加入你的位址：az keyvault network-rule add --name <vault> --ip-address <your public IP>，或請保存庫的擁有者幫忙。",
      },
      ForbiddenByConnection: {
        meaning: "這個保存庫只接受私人端點連線，而這台電腦不在那個網路上。",
        fix: "請透過保存庫所在的私人網路（VPN）連線，或在教學中改用允許公用存取的保存庫。",
      },
      AKV10032: {
        meaning: "你的權杖來自另一個 Entra ID 租用戶，和保存庫所屬的租用戶不同。",
        fix: "請登入保存庫所屬的租用戶：az login --tenant <tenant-id>（租用戶識別碼可以用 az keyvault show -n <vault> --query properties.tenantId 查到）。",
      },
      KeyNotFound: {
        meaning: "這個保存庫裡沒有這個名稱或版本的（有效）金鑰。",
        fix: "請檢查名稱；剛刪除的金鑰可以用 getDeletedKey 找到，再用 beginRecoverDeletedKey 復原。",
      },
      Throttled: {
        meaning: "保存庫正忙：過去 10 秒內的要求太多了（建立 RSA 金鑰的上限是每個保存庫 20 次）。",
        fix: "等服務要求的秒數過去就好（SDK 會自己重試）；如果是工作坊，請讓每一桌使用各自的保存庫。",
      },
      AADSTS7000215: {
        meaning: "服務主體的用戶端密碼不正確。",
        fix: "請建立新的密碼（az ad sp credential reset --id <client id>），並放進 AZURE_CLIENT_SECRET。",
      },
      AADSTS7000222: {
        meaning: "服務主體的用戶端密碼已經過期。",
        fix: "請建立新的密碼（az ad sp credential reset --id <client id>），並放進 AZURE_CLIENT_SECRET。",
      },
      AADSTS700016: {
        meaning: "AZURE_CLIENT_ID 指的應用程式不存在於 AZURE_TENANT_ID 的租用戶中。",
        fix: "請確認 AZURE_CLIENT_ID（也就是 appId）和 AZURE_TENANT_ID（可以用 az account show --query tenantId 查詢）。",
      },
      AADSTS700082: {
        meaning: "你的 Azure CLI 登入已經過期。",
        fix: "請重新執行 az login。",
      },
      ChallengeResourceMismatch: {
        meaning: "保存庫回應的資源和它的主機名稱對不上：它不在 vault.azure.net 底下（可能是本機模擬器或 Proxy）。",
        fix: "請用輔助函式裡的 clientOptionsFor(vaultUrl) 建立用戶端（它只會對模擬器設定 disableChallengeResourceVerification）。",
      },
      EmulatorIdentityHeader: {
        meaning: "模擬器拒絕讓您登入：IDENTITY_HEADER 不是 IDENTITY_ENDPOINT 上那個模擬器的密碼。",
        fix: "從模擬器印出的內容複製 IDENTITY_HEADER（或用 npm run emulator 重新啟動它，它會寫入 .env），然後重新啟動核心（或重新執行）：登入會一直沿用第一次看到的值。",
      },
      CredentialUnavailable: {
        meaning: "DefaultAzureCredential 找不到任何可以登入的方式。",
        fix: "請執行 az login（然後重新啟動核心或重新執行）；若是用本機模擬器，請執行 npm run emulator，讓 .env 裡有 IDENTITY_ENDPOINT 和 IDENTITY_HEADER。",
      },
      TlsUntrusted: {
        meaning: "這個程序不信任保存庫的 TLS 憑證。",
        fix: "若是模擬器：KVQ_EMULATOR_CA 必須指向您所用模擬器的 CA——用 npm run emulator 重新啟動它（它會重寫 .env），然後再執行一次。若在會替換憑證的 Proxy 後面：把 NODE_EXTRA_CA_CERTS 指向它的根 CA。千萬不要關閉 TLS 驗證。",
      },
      ConnectionRefused: {
        meaning: "保存庫的位址上沒有任何服務回應。",
        fix: "若是本機模擬器：請用 npm run emulator 啟動它，並讓它保持執行。",
      },
      HostNotFound: {
        meaning: "無法解析保存庫的主機名稱：可能是名稱打錯了，或是沒有網路。",
        fix: "請用 az keyvault list -o table 核對 KEY_VAULT_NAME 或 KEY_VAULT_URL，並檢查你的網路。",
      },
    },
  },

  clientOptions: {
    caNotNamed: "保存庫網址指向這台電腦，但 KVQ_EMULATOR_CA 沒有指向模擬器的 CA 憑證。請用 `npm run emulator` 啟動模擬器（它會把這個變數寫進 .env），然後重新載入 .env。",
    caUnreadable: (file, reason) => `無法讀取位於 ${file} 的模擬器 CA 憑證：${reason}。請先啟動一次模擬器（\`npm run emulator\`）來建立它。`,
  },

  throttle: {
    busy: (seconds, status = 429) => `保存庫正忙（HTTP ${status}：${status === 429 ? "要求太多" : "服務暫時無法使用"}）。等待 ${seconds} 秒後重試…`,
  },

  doctor: {
    emulatorState: {
      title: "模擬器的狀態資料夾",
      notLocal: "保存庫在 Azure 上：沒有模擬器的狀態需要檢查。",
      clean: (dir) => `${dir} 裡沒有發現損壞。`,
      fix: (folders) => `完好的金鑰都已保留並照常提供。看過遺失的內容之後，請刪除 ${folders.join(" 和 ")}。`,
    },
    kernel: {
      title: "筆記本核心（JupyterLab、VS Code）",
      installed: (file) => `已安裝：${file}。`,
      notInstalled: "尚未安裝，所以 JupyterLab 和 VS Code 不會列出它（npm start 和 npm run learn 不需要它）。",
      unreadable: (file) => `無法讀取 ${file}。`,
      otherProject: (file, owner) => `${file} 啟動的是位於 ${owner} 的另一份專案，不是這一份。`,
      broken: (file, missing) => `${file} 指向已經不存在的檔案：${missing.join("、")}（專案搬了位置，或換了 Node）。`,
      editionNotInstalled: (name) => `核心 ${name} 尚未安裝：指定它的筆記本會要你選一個核心。`,
      noJupyter: "找不到 Jupyter 本身（只有 JupyterLab 需要；VS Code 自己帶了）。",
      fix: "請執行：npx kvq kernel install",
      jupyterFix: "pip install jupyterlab，或用 VS Code 的 Jupyter 擴充功能開啟筆記本。",
    },
    node: {
      title: "Node.js 版本",
      ok: (version) => `Node.js ${version}，符合需求`,
      tooOld: (version, minimum) => `Node.js ${version} 太舊了：筆記本需要 ${minimum} 以上的版本（才能用 require() 載入 ES 模組）。`,
      fix: "請從 https://nodejs.org 安裝目前的 Node.js LTS 版本，然後重新執行 npm install。",
    },
    dependencies: {
      title: "相依套件已安裝",
      ok: (packages) => packages.join("、"),
      missing: (packages) => `尚未安裝：${packages.join("、")}。`,
      fix: (projectRoot) => `請在 ${projectRoot} 執行 npm install。`,
    },
    settings: {
      title: "設定（.env）",
      noEnvFile: "環境變數（找不到 .env）",
      problems: (count, source) => `有 ${count} 個問題（設定來源：${source}）：`,
      summary: (vaultUrl, where, signIn, source) => `${vaultUrl}（${where}），登入方式：${signIn}；設定來源：${source}`,
    },
    network: {
      title: "可透過已驗證的 TLS 連到保存庫",
      verified: (host, withEmulatorCa) => `${host}：TLS 交握驗證成功${withEmulatorCa ? "（使用模擬器的 CA）" : ""}。`,
      timeout: (host) => `${host} 在 5 秒內沒有回應。`,
      timeoutFix: "請檢查網路、Proxy 或 VPN；使用私人端點的保存庫只會在它的私人網路上回應。",
      tlsFailed: (host, reason) => `與 ${host} 的 TLS 連線失敗：${reason}`,
      tlsEmulatorFix: "請重新啟動模擬器（npm run emulator），讓 .env 指向它目前的 CA。",
      tlsAzureFix: "請檢查系統時間，以及是否有會攔截 TLS 流量的 Proxy；千萬不要關閉憑證驗證。",
      caMissing: (file) => `找不到模擬器的 CA 檔案 ${file ?? "（未設定）"}`,
    },
    signIn: {
      title: "登入（DefaultAzureCredential）",
      someCredential: "認證鏈中的某個認證",
      token: (credential, validUntil) => `已從 ${credential} 取得權杖，有效期限到 ${validUntil}。`,
      failed: "取得權杖失敗",
    },
    permissions: {
      title: "權限往返測試（探測用金鑰）",
      allowed: (steps) => `${steps.join("、")}：全部允許。`,
      refused: (step, done) => (done.length > 0 ? `${done.join("、")} 都成功了，但 ${step} 被拒絕` : `${step} 被拒絕，沒有任何步驟成功`),
      needed: "本教學需要金鑰的 get、list、create、delete、recover 和 purge 權限。",
    },
    secretPermissions: {
      title: "權限往返測試（探測用祕密）",
      needed:
        "祕密快速入門需要祕密的 get、list、set、delete、recover 和 purge 權限──RBAC：「Key Vault Secrets Officer」（az role assignment create --role \"Key Vault Secrets Officer\" --assignee <你的 UPN> --scope <保存庫的資源識別碼>）；存取原則：az keyvault set-policy -n <保存庫> --upn <你> --secret-permissions get list set delete recover purge。",
    },
    certificatePermissions: {
      title: "權限往返測試（探測用憑證）",
      needed:
        "憑證快速入門需要憑證的 get、list、create、delete、recover 和 purge 權限，讀取憑證的金鑰和祕密時還需要金鑰的 get、sign 和祕密的 get 權限──RBAC：「Key Vault Certificates Officer」（az role assignment create --role \"Key Vault Certificates Officer\" --assignee <你的 UPN> --scope <保存庫的資源識別碼>；這個角色不含金鑰和祕密的權限：請用同樣的方式再指派「Key Vault Crypto User」和「Key Vault Secrets User」，除非你已經有金鑰和祕密的 Officer 角色）；存取原則：az keyvault set-policy -n <保存庫> --upn <你> --certificate-permissions get list create delete recover purge --key-permissions get sign --secret-permissions get。",
    },
    softDelete: {
      title: "虛刪除與清除保護",
      purgeProtected: (days, recoveryLevel, kind) =>
        `${kept(days, kind)}，而且已啟用清除保護（${recoveryLevel}）：教學的清理步驟能刪除${KIND_WORDS[kind]}，卻無法清除，所以每次執行用過的${KIND_WORDS[kind]}名稱都會被占用${days ? ` ${days} 天` : "到保留期間結束"}。`,
      purgeProtectedFix: "只執行一次的話沒有問題。如果教學要反覆執行，請改用沒有啟用清除保護的保存庫（現有的保存庫一旦啟用就無法關閉）。",
      purgeAllowed: (days, recoveryLevel, kind) => `${kept(days, kind)}；允許清除（${recoveryLevel}），所以教學的清理步驟會把${KIND_WORDS[kind]}完全移除。`,
    },
    skipped: (title) => `已略過：要先通過「${title}」。`,
    couldNotRun: (title) => `「${title}」無法執行`,
    failure: (what, codes, text) => `${what}：${codes ? `${codes}：` : ""}${text}`,
    serviceSaid: (message) => `（${message}）`,
    unexplainedFix: "請執行筆記本的第一個儲存格查看詳細資訊，或參考 setup.zh-TW.md 的疑難排解表。",
  },

  rehearse: {
    requests: {
      key: (attendees, requests, perAttendee, limit) =>
        `${attendees} 位學員大約會送出 ${count(requests)} 個建立金鑰的要求（每人 ${perAttendee} 個：金鑰本身，加上刻意觸發的 409）。一個保存庫每 10 秒只接受 ${count(limit)} 個。`,
      secret: (attendees, requests, perAttendee, limit) =>
        `${attendees} 位學員大約會進行 ${count(requests)} 次祕密交易（每人 ${perAttendee} 次：每個與祕密有關的要求都算，包括列出和輪詢時的查詢）。一個保存庫每 10 秒只接受 ${count(limit)} 次。`,
      certificate: (attendees, requests, perAttendee, limit) =>
        `${attendees} 位學員大約會送出 ${count(requests)} 個建立憑證的要求（每人 ${perAttendee} 個：憑證本身，加上刻意觸發的 409）。` +
        `Azure 沒有為建立憑證另訂上限；每建立一張憑證都會一併建立它的金鑰，所以請以建立金鑰的上限來規劃：一個保存庫每 10 秒只接受 ${count(limit)} 個，金鑰快速入門的建立也算在內。` +
        `其他要求（讀取、輪詢、簽署）算在每 10 秒 4,000 次的上限裡。`,
    },
    nobodyWaits: "就算所有人在同一刻送出這些要求，也不會有人需要等待。",
    lastOnesWait: (seconds, retries) => `如果所有人在同一刻送出這些要求，最後幾位會看到「保存庫正忙」，最多要等 ${seconds} 秒（重試 ${retries} 次）。`,
    tooManyRetries: (maxRetries, vaults) => `這超過了教學的重試上限（${maxRetries} 次）：有些要求會失敗。請準備 ${vaults} 個保存庫（每桌一個）。`,
    vaultPerTable: (acceptableWait, vaults, perVault, neverWait) =>
      `所有人都能完成，但等超過 ${acceptableWait} 秒就會讓人以為卡住了：請讓每一桌使用自己的保存庫──準備 ${vaults} 個保存庫，每個最多 ${perVault} 位學員（每個保存庫不超過 ${neverWait} 位，就完全不必等待）。`,
    oneVault: (perVault, neverWait) => `一個保存庫就夠了。如果同時開始的學員超過 ${perVault} 位，請讓每一桌使用自己的保存庫（每個保存庫不超過 ${neverWait} 位，就完全不必等待）。`,
    expectedConflict: (got) => `預期會得到 409 ObjectIsDeletedButRecoverable，實際得到的是 ${got}`,
    notEveryoneFinished: (failed, attendees) => `這次演練中 ${attendees} 位學員有 ${failed} 位沒有完成（見上方 ✖）：在 Azure 上他們同樣無法完成。請先解決這個問題，或讓每個保存庫的學員少一些再演練。`,
  },

  commands: {
    emulator: {
      stateFolderWritable: (dir, mode) =>
        `模擬器的狀態資料夾 ${dir} 可以被其他使用者寫入（權限 ${mode}）：別人可能已替換其中的 CA 或機密檔。沒有使用其中任何內容。` +
        `如果你信任裡面的內容，請執行「chmod 700 ${dir}」後再啟動；否則請刪除這個資料夾（保存庫會從空的開始）。`,
      stateFolderForeign: (dir, uid) => `模擬器的狀態資料夾 ${dir} 屬於另一位使用者（uid ${uid}）。裡面有私密金鑰和 CA：請改用你自己的資料夾（--state DIR）。`,
      stateFolderInUse: (dir, url, pid) =>
        `另一個模擬器（程序 ${pid}）正在使用狀態資料夾 ${dir}，服務位址是 ${url}。兩個模擬器共用一個資料夾會互相弄丟對方的金鑰，所以這一個沒有啟動。` +
        `請使用正在執行的那一個（它已印出自己的變數；用 npm run emulator 啟動時也寫進了 .env），或先停止它（在它執行的地方按 Ctrl-C，或 kill ${pid}），或用 --state DIR 讓這一個使用自己的資料夾。`,
      stateFileLocked: (file) =>
        `保存庫的資料庫 ${file} 被另一個程序鎖住了：可能是正在啟動的模擬器，或開著這個檔案的程式。請停止那個程序，或用 --state DIR 讓這個模擬器使用自己的資料夾。`,
      notThisVaultsFile: (file) => `${file} 是 SQLite 檔案，但不是這個模擬器的`,
      stateFileTooNew: (file, format) => `${file} 是較新版本的 kvq 寫的（格式 ${format}）。請更新這個專案（git pull 之後 npm install），或改用另一個資料夾（--state DIR）。`,
      migrated: (records, files, movedTo) =>
        `# 已把 ${records} 筆記錄從 ${files.join(" 和 ")}（舊版模擬器的檔案）移到 vault.db。舊檔案保留在 ${movedTo}；你可以隨時刪除那個資料夾。`,
      damaged: (dir, kept, lost, keptIn) =>
        `${dir} 裡的保存庫狀態已損壞。保留了 ${kept} 筆完好的記錄。遺失：${lost.join("；")}。` +
        `損壞的檔案原封不動地保留在 ${keptIn}。如果你有先前的狀態資料夾副本，請停止模擬器並放回那份副本；否則請重新建立遺失的金鑰。` +
        `不再需要時請刪除 ${keptIn}（在那之前 kvq doctor 都會提醒你）。`,
      lost: {
        record: (kind, deleted, name, why) =>
          kind === "certificate-contacts"
            ? `保存庫的憑證連絡人（${why}）`
            : `${deleted ? "已虛刪除的" : ""}${{ keys: "金鑰", secrets: "祕密", certificates: "憑證", "certificate-issuers": "憑證簽發者" }[kind]}「${name}」（${why}）`,
        records: (count, why) => (count === undefined ? `無法讀取的部分原本的內容（不明），${why}` : `${count} 筆記錄，${why}`),
        gap: (count) => `舊日誌中缺少 ${count} 筆變更（或它所接續的快照缺漏）`,
        wal: (commits, offset) => `vault.db-wal 第 ${offset} 位元組之後的 ${commits} 次提交（檔案在那裡損壞）`,
        structure: (finding) => `檔案結構（SQLite：${finding}）`,
        why: {
          checksum: "內容與校驗碼不符",
          unreadable: "無法讀取",
          malformed: "不是格式正確的記錄",
          misfiled: "存放的名稱與內容不符",
          material: "私密與公開的兩半不相符",
        },
      },
    },
    doctor: {
      line: (title, detail) => `${title}：${detail}`,
      summary: (failed, warned) => `${failed === 0 ? "準備就緒" : `${failed} 項檢查失敗`}${warned ? `，${warned} 項警告` : ""}。`,
    },
    cleanup: {
      notADuration: (text) => `--older-than "${text}" 不是有效的時間長度。請使用像 2h、30m、1d 這樣的寫法。`,
      looking: (vaultUrl) => `正在 ${vaultUrl} 尋找教學留下的物件`,
      counted: (kind, count) => `${count} ${MEASURE_WORDS[kind]}${KIND_WORDS[kind]}`,
      found: (counted, runs, vaultUrl, dryRun) =>
        `${vaultUrl} 中教學留下的物件：${counted.length ? counted.join("、") : "沒有"}${runs ? `，分屬 ${runs} 次執行` : ""}${dryRun ? "（試執行，不會變更任何東西）" : ""}。`,
      nothingChanged: "沒有做任何變更。加上 --yes 再執行一次，就會刪除並清除它們。",
      done: (cleaned, failed) => `已清理 ${cleaned} 個，失敗 ${failed} 個。`,
      run: (runId, attendee, started, hasLedger) => {
        const details = [attendee && `學員 ${attendee}`, started && `開始於 ${started}`].filter(Boolean);
        return `執行 ${runId}${details.length ? `（${details.join("，")}）` : ""}${hasLedger ? "" : "──本機沒有執行紀錄"}`;
      },
      states: { live: "使用中", deleted: "已刪除", "ledger-only": "僅在紀錄" },
      created: (when) => `（建立於 ${when}）`,
      deleted: (when, purge) => `（刪除於 ${when}，排定於 ${purge} 清除）`,
      ledgerOnly: "（只在執行紀錄裡，保存庫中沒有：可能從未建立，或已經清除）",
    },
    rehearse: {
      starting: (tutorial, attendees, limit) => `正在演練 ${tutorial}：${attendees} 位學員同時操作，模擬器限制${limit}`,
      limit: {
        key: (perTenSeconds) => `每 10 秒最多建立 ${count(perTenSeconds)} 次金鑰`,
        secret: (perTenSeconds) => `每 10 秒最多 ${count(perTenSeconds)} 次祕密交易`,
        certificate: (perTenSeconds) => `每 10 秒最多建立 ${count(perTenSeconds)} 次金鑰（建立一張憑證算一次）`,
      },
      progress: (done, attendees) => `演練中：${done}/${attendees} 位學員已完成`,
      finished: (finished, attendees, seconds) => `${finished}/${attendees} 位學員在 ${seconds} 秒內完成`,
      finishedLabel: "完成的學員：",
      timeLabel: "全部完成所需時間：",
      leftoverLabel: (kind) => `殘留的${KIND_WORDS[kind]}：`,
      countedLabel: { key: "建立金鑰次數：", secret: "祕密交易次數：", certificate: "建立金鑰次數（憑證）：" },
      counted: (requests, perAttendee) => `${count(requests)}（每位學員 ${perAttendee} 次）`,
      seconds: (seconds) => `${seconds} 秒`,
      leftover: (kind, names) => `${names.length} ${MEASURE_WORDS[kind]}${names.length ? `（${names.join("、")}）` : ""}`,
      retries: (retries, busyInsteadOfConflict) =>
        `「保存庫正忙」（429）重試次數：${retries}${busyInsteadOfConflict ? `（其中 ${busyInsteadOfConflict} 位在重複使用名稱的步驟看到「忙碌」，而不是 409）` : ""}`,
      failedAttendee: (attendee, error) => `${attendee}：${error}`,
      columns: { step: "步驟", p50: "p50（秒）", p95: "p95（秒）", max: "最長（秒）" },
      steps: {
        settings: "設定",
        name: "取名",
        create: "建立",
        set: "設定祕密",
        get: "讀取",
        versions: "版本和屬性",
        "key + secret": "金鑰和祕密",
        delete: "刪除",
        "reuse (409)": "重用名稱（409）",
        "recover + delete": "復原後再刪除",
        "clean up": "清理",
      },
      onAzure: "在 Azure 上：",
    },
  },
  runner: runnerZhTW,
  workshop: workshopZhTW,
  failures: failuresZhTW,
};

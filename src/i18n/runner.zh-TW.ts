/** 執行器（`kvq run`、`kvq learn`、`kvq docs`、`kvq strip`）的訊息，繁體中文。屬於 `zhTW` 目錄的一部分。 */
import type { runnerEn } from "./runner.en";

/** 各種筆記本在 Azure 保存庫上需要的權限（文件頁的事前準備）。 */
const VAULT_ACCESS = {
  key: "該保存庫上的 **Key Vault Crypto Officer** 角色\n  （或具有金鑰權限 `get list create delete recover purge` 的存取原則）",
  secret: "該保存庫上的 **Key Vault Secrets Officer** 角色\n  （或具有祕密權限 `get list set delete recover purge` 的存取原則）",
  certificate:
    "該保存庫上的 **Key Vault Certificates Officer** 角色，以及讀取憑證的金鑰和祕密所需的\n" +
    "  **Key Vault Crypto User** 與 **Key Vault Secrets User** 角色（或具有憑證權限 `get list create delete recover purge`、\n" +
    "  金鑰權限 `get sign verify` 與祕密權限 `get` 的存取原則）",
};

export const runnerZhTW: typeof runnerEn = {
  target: {
    embedded: (url: string) => `金鑰保存庫：自帶的模擬器，位於 ${url}（不需要 Azure 帳戶）`,
    vault: (url: string) => `金鑰保存庫：${url}`,
  },
  kernelStarting: "正在啟動 TypeScript 核心",
  kernelReady: (seconds: string) => `核心已就緒（${seconds} 秒）`,
  stepTime: (seconds: string) => `（${seconds} 秒）`,
  elapsed: (seconds: string) => `${seconds} 秒`,
  injectedParameters: "--param 參數",
  kernelFailed: "TypeScript 核心沒有啟動成功",
  status: {
    failed: "失敗",
    timedOut: "逾時",
    interrupted: "已中斷",
    skippedTagged: "已略過：標記為 skip-execution",
    raisedAsExpected: "如預期擲回錯誤",
  },
  summary: (counts, seconds, kernelSeconds) => {
    const parts = [`${counts.passed} 個通過`];
    if (counts.failed) parts.push(`${counts.failed} 個失敗`);
    if (counts.timedOut) parts.push(`${counts.timedOut} 個逾時`);
    if (counts.interrupted) parts.push(`${counts.interrupted} 個中斷`);
    if (counts.skipped) parts.push(`${counts.skipped} 個略過`);
    if (counts.notRun) parts.push(`${counts.notRun} 個未執行`);
    return `步驟：${parts.join("、")}，共 ${seconds} 秒（核心啟動 ${kernelSeconds} 秒）。`;
  },
  executedNotebook: (path: string) => `執行後的筆記本：${path}`,
  keys: (created: number, cleaned: number, notCreated: string[] = []) =>
    `金鑰：建立 ${created} 把，清理 ${cleaned} 把。${notCreated.length ? `沒有建立（保存庫沒有建立它）：${notCreated.join("、")}。` : ""}`,
  keysLeft: (names: string[]) => `以下金鑰還留在保存庫裡（因為指定了 --keep-keys，或清理失敗）：${names.join("、")}。要移除請執行：npx kvq cleanup --yes`,
  secrets: (created: number, cleaned: number, notCreated: string[] = []) =>
    `祕密：設定 ${created} 個，清理 ${cleaned} 個。${notCreated.length ? `沒有設定（保存庫沒有建立它）：${notCreated.join("、")}。` : ""}`,
  secretsLeft: (names: string[]) => `以下祕密還留在保存庫裡（因為指定了 --keep-keys，或清理失敗）：${names.join("、")}。要移除請執行：npx kvq cleanup --yes`,
  certificates: (created: number, cleaned: number, notCreated: string[] = []) =>
    `憑證：建立 ${created} 張，清理 ${cleaned} 張（每張都連同它的金鑰和祕密）。${notCreated.length ? `沒有建立（保存庫沒有建立它）：${notCreated.join("、")}。` : ""}`,
  certificatesLeft: (names: string[]) => `以下憑證（連同它們的金鑰和祕密）還留在保存庫裡（因為指定了 --keep-keys，或清理失敗）：${names.join("、")}。要移除請執行：npx kvq cleanup --yes`,
  cleanedUp: (message: string) => `已清理：${message}`,
  failure: {
    heading: (index, name, status) =>
      status === "failed" ? `第 ${index} 步（${name}）失敗。` : status === "timed-out" ? `第 ${index} 步（${name}）超過 --timeout 的時間，已被中斷。` : `第 ${index} 步（${name}）被中斷了。`,
    source: "儲存格內容：",
    reported: "它回報的訊息：",
  },
  notebookFile: {
    notFound: (file) => `找不到筆記本：${file}。`,
    notFoundFix: "請檢查路徑：教學的名稱（quickstart、beyond-the-quickstart、secrets-quickstart、certificates-quickstart）或一個 .ipynb 檔案。",
    invalidJson: (file, detail) => `${file} 不是有效的 JSON：${detail}`,
    invalidJsonFix: "用 Jupyter 或編輯器打開它並修正 JSON，或從 git 還原。",
    notNbformat4: (file, found) => `${file} 不是 nbformat 4 的筆記本（讀到的 nbformat 是 ${found}）。`,
    notNbformat4Fix: "用 Jupyter 4 以上的版本另存（或用 `jupyter nbconvert --to notebook` 轉換）後再試一次。",
    badCell: (file, cell) => `${file}：第 ${cell} 個儲存格沒有有效的 cell_type。`,
    badCellFix: "在 Jupyter 中打開筆記本並重新儲存。",
  },
  interrupted: "已中斷：正在停止核心並清理（再按一次 Ctrl-C 會立刻離開）。",
  interruptedAgain: "不清理就離開。之後可以用這個指令移除這次留下的東西：npx kvq cleanup --yes",
  docs: {
    header: (notebook: string) => `<!-- 由 \`npx kvq docs\` 從 ${notebook} 產生。請勿直接編輯這個檔案：修改筆記本後重新產生。 -->`,
    labels: { code: "程式碼", output: "輸出" },
    prerequisites: (notebook, kind = "key", tutorial = "") =>
      [
        "## 事前準備",
        "",
        "- [Node.js](https://nodejs.org/) 20.19 或更新版本，並在本專案資料夾執行過 `npm install`。",
        "- 使用**本機模擬器**：不需要其他東西——不需要 Azure 訂用帳戶，也不需要網路。",
        `- 使用 **Azure 中的保存庫**：Azure 訂用帳戶、一個金鑰保存庫、${VAULT_ACCESS[kind]}，以及用來登入的 Azure CLI。`,
        "",
        "[setup.zh-TW.md](../setup.zh-TW.md) 說明這兩種做法，以及如何在 JupyterLab、Jupyter Notebook 或 VS Code 開啟筆記本。",
        `本頁列出 [${notebook}](../${notebook}) 的程式碼，以及對模擬器執行一次的輸出：`,
        `你可以自己在筆記本裡執行、用 \`npm run learn${tutorial ? ` -- ${tutorial}` : ""}\` 在終端機裡逐步執行，或用 \`${tutorial ? `npx kvq run ${tutorial}` : "npm start"}\` 一次跑完。`,
      ].join("\n"),
    setupHeader: (source: string) => `<!-- 由 \`npx kvq docs\` 從 ${source} 產生，讓網站也有這一頁。請不要編輯這個檔案：修改 ${source} 後重新產生。 -->`,
    running: (notebook: string) => `正在用自帶的模擬器執行 ${notebook}`,
    wrote: (file: string) => `已寫入 ${file}`,
    unchanged: (file: string) => `${file} 已是最新`,
    stale: (file: string) => `${file} 已經過時：請執行 \`npx kvq docs\` 並提交結果。`,
    runFailed: (notebook: string, step: string) => `文件必須來自一次成功的執行，但 ${notebook} 在第 ${step} 步失敗了：請先修好筆記本（npx kvq run 會告訴你原因）。`,
    fromNeedsOneLang: "--from 只接受一本執行過的筆記本：請同時指定 --lang en 或 --lang zh-TW。",
  },
  strip: {
    cleaned: (file: string) => `已清除 ${file} 的輸出`,
    clean: (file: string) => `${file} 本來就是乾淨的`,
    wouldChange: (file: string) => `${file} 尚未清理（含有輸出、執行資料，或排版與 Jupyter 不同）：請執行 \`npx kvq strip ${file}\`。`,
    stdinTakesNoFiles: "--stdin 從標準輸入讀取一本筆記本：請不要同時指定檔名。",
    notInGit: "kvq strip --install 會設定這個複本的 git，但這個資料夾不在 git 複本裡（或沒有安裝 git）。請在專案的複本裡執行。",
    installed: (filter: string, command: string) =>
      `之後暫存（git add）筆記本時，git 會先清除輸出（篩選器 ${filter}：${command}）。你的檔案保留輸出；提交和差異裡看不到它們。`,
  },
  learn: {
    welcome: (steps: number) => `一步一步走完快速入門（共 ${steps} 步）。每一步開始前，你會先讀到它要做什麼、看到它的程式碼。`,
    keys: "Enter：執行   s：略過   b：回上一步   輸入數字再按 Enter：跳到那一步   q：離開（會先清理）",
    stepHeading: (index: number, total: number, name: string) => `第 ${index} / ${total} 步 · ${name}`,
    prompt: "要執行這一步嗎？[Enter/s/b/q，或輸入步驟編號] ",
    secretValuePrompt: "你的祕密值（只在這次的畫面上顯示；直接按 Enter 使用編出來的值）：",
    namePrompt: (suggestion: string) => `金鑰名稱（直接按 Enter 使用 ${suggestion}）：`,
    nameRefused: (why: string) => `這個名稱不能用：${why}`,
    nameAccepted: (name: string) => `就用 ${name}。`,
    skipped: "已略過。後面的步驟可能需要這一步產生的東西。",
    failedStep: "這一步失敗了，請看上面的輸出。按 Enter 再試一次，s 略過，b 回上一步，q 離開。",
    skippedDefiner: (step: number, name: string, missing: string) => `你略過了第 ${step} 步（${name}），而 \`${missing}\` 是在那一步定義的：請按 b 回到那一步（或輸入 ${step}），執行它之後再回到這裡。`,
    failedDefiner: (step: number, name: string, missing: string) => `\`${missing}\` 是在第 ${step} 步（${name}）定義的，而那一步沒有順利完成：請按 b 回到那一步（或輸入 ${step}），再執行一次。`,
    notRunDefiner: (step: number, name: string, missing: string) => `\`${missing}\` 是在第 ${step} 步（${name}）定義的，而這次還沒執行過那一步：請按 b 回到那一步（或輸入 ${step}）。`,
    noSuchStep: (step: number, total: number) => `沒有第 ${step} 步：步驟是第 1 到第 ${total} 步。`,
    stoppedStep: "你停止了這一步。按 Enter 重新執行，s 略過，b 回上一步，q 離開。",
    kernelStuck: "這一步停不下來，所以它的核心已經關閉。再執行一次 npm run learn，就能從這裡繼續。",
    catchingUp: (from: number) => `正在補上進度：安靜地重新執行第 1 到第 ${from - 1} 步，讓核心具備第 ${from} 步需要的東西……`,
    caughtUp: "進度已補上。",
    resumeOffer: (next: number) => `上次你做到第 ${next - 1} 步。要從第 ${next} 步繼續嗎？[Y/n] `,
    quitting: "正在離開：清理這次建立的東西……",
    resumeHint: (next: number, tutorial = "") => `之後要從第 ${next} 步繼續：npm run learn -- ${tutorial ? `${tutorial} ` : ""}--from ${next}`,
    finished: "整個快速入門完成了，做得好！",
    fromTooLarge: (from: number, total: number) => `--from ${from}：這本筆記本只有 ${total} 步。`,
  },
  usage: {
    badLang: (value: string) => `--lang「${value}」不是本教學提供的語言，請用 en 或 zh-TW。`,
    stepAndUntil: "--step 和 --until 不能一起用：--step N 只執行第 N 步，--until N 執行第 1 到第 N 步。",
    timeout: (value: string) => `--timeout「${value}」不是時間長度，請用像 90s、5m 這樣的寫法。`,
  },
};

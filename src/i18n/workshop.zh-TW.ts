/** docs/workshop.zh-TW.md：給講師的頁面（由 notebook/workshop-page.ts 產生）。`zhTW` 目錄的一部分。 */
import type { workshopEn } from "./workshop.en";

export const workshopZhTW: typeof workshopEn = {
  header: "<!-- 由 `npx kvq docs` 依筆記本和它實際執行的結果產生。請勿直接編輯：修改筆記本或 src/i18n/workshop.*.ts 之後重新產生。 -->",
  title: "# 帶領 Key Vault 工作坊",
  intro:
    "這門課替金鑰保存庫所保管的每一種物件各準備了一份快速入門：金鑰、祕密和憑證。每一份都可以在內建的模擬器上執行，不需要 Azure 帳戶，也不需要網路；也可以連到你自己的保存庫。這一頁寫給講師：建議的教學順序、上課前、上課中和下課後要執行的指令，以及每一份在模擬器上要花多少時間。",
  beforeHeading: "## 上課之前",
  before: [
    "1. 在每位學員的電腦上執行 `npm install && npm start`，它會在模擬器上從頭到尾跑完金鑰快速入門：最後每個步驟都通過，就表示這台電腦準備好了。Node.js、筆記本的核心和編輯器的設定請見 [setup.zh-TW.md](setup.zh-TW.md)。",
    "2. 使用 Azure 上的保存庫時，`npx kvq doctor` 會檢查 `.env` 的設定、登入，以及這個身分能否建立、讀取、刪除和清除各份快速入門會產生的物件（金鑰、祕密和憑證），不能的話會說出該授與哪個角色。",
    "3. 預演這堂課：`npx kvq rehearse --tutorial <快速入門> --attendees <人數>` 讓這麼多位學員同時在一個依 Azure 該項限制運作的模擬器上執行，並告訴你一個保存庫夠不夠用，還是每一桌需要各自的保存庫。",
  ],
  orderHeading: "## 快速入門的教學順序",
  columns: { number: "順序", tutorial: "快速入門", steps: "步驟數", time: "在模擬器上執行 `npx kvq run`" },
  time: (seconds) => (seconds === undefined ? "尚未量測" : `約 ${seconds} 秒`),
  timesNote:
    "時間是產生這一頁的電腦上 `npx kvq docs` 執行一次所花的時間，從指令開始到結束（包含模擬器和核心的啟動）。一堂邊讀邊逐步執行的課需要的時間長得多：這是電腦的時間，不是學員的時間。",
  docsPage: "頁面",
  teaches: {
    quickstart: "登入、建立 RSA 金鑰、讀取、以虛刪除刪掉它、看到名稱仍被占用時的 409、復原、清除。",
    "secrets-quickstart": "祕密的同一段生命週期：設定、讀回、版本和屬性、虛刪除、復原、清除；祕密的值不會出現在課程存下的任何檔案中。",
    "beyond-the-quickstart": "接在金鑰快速入門之後，更深入的金鑰：橢圓曲線金鑰、用 `CryptographyClient` 加密、簽署和包裝、停用和到期、分頁列出、輪替、清除保護、備份和還原。",
  },
  stepsLabel: "步驟：",
  commandsLabel: "指令：",
  commands: {
    learn: "在終端機中逐步執行",
    run: "從頭到尾執行，使用它自己的模擬器",
    rehearse: (attendees, limit) => `${attendees} 位學員同時上課，依 Azure 的限制：${limit}`,
  },
  extraHeading: "## 給提早完成的學員",
  afterHeading: "## 下課之後",
  after:
    "`npx kvq cleanup` 會列出教學在保存庫中留下的物件（試執行：不會變更任何東西）；`npx kvq cleanup --yes` 會刪除並清除它們。它只處理帶有教學標籤的物件，而憑證的金鑰和祕密只會跟著它們的憑證一起處理。",
  timeStale: (tutorial, stated, measured) =>
    stated === undefined ? `頁面上還沒有 ${tutorial} 的時間（這次執行花了 ${measured} 秒）` : `頁面上說 ${tutorial} 約需 ${stated} 秒，這次執行花了 ${measured} 秒`,
};

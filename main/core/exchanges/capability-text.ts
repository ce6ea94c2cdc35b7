/**
 * One short sentence per capability and answer, in every UI language, built in one place so the
 * connectors keep their detailed English notes (which name endpoints and exchange quirks) and the
 * screens still get a translated line. `{exchange}` is the exchange's display name.
 */
import type { Capability } from './connector'

type Id = Capability['id']
type Sentences = Record<'en' | 'zh-CN' | 'zh-TW', string>

const TEXT: Record<Id, { yes: Sentences; no: Sentences }> = {
  loginHistory: {
    yes: {
      en: '{exchange} shows the account’s login history to Vigil.',
      'zh-CN': '{exchange} 会向 Vigil 提供账户的登录记录。',
      'zh-TW': '{exchange} 會提供帳戶的登入紀錄給 Vigil。'
    },
    no: {
      en: '{exchange} does not publish login history over its API, so login rules cannot run.',
      'zh-CN': '{exchange} 未通过 API 提供登录记录，因此登录类规则无法运行。',
      'zh-TW': '{exchange} 沒有透過 API 提供登入紀錄，因此登入類規則無法執行。'
    }
  },
  keyList: {
    yes: {
      en: 'Vigil can list every API key on the account and notice new ones.',
      'zh-CN': 'Vigil 可以列出账户上的所有 API 密钥，并发现新建的密钥。',
      'zh-TW': 'Vigil 可以列出帳戶上的所有 API 金鑰，並察覺新建立的金鑰。'
    },
    no: {
      en: '{exchange} only shows the key Vigil uses, not the account’s other keys.',
      'zh-CN': '{exchange} 只显示 Vigil 使用的密钥，看不到账户上的其他密钥。',
      'zh-TW': '{exchange} 只顯示 Vigil 使用的金鑰，看不到帳戶上的其他金鑰。'
    }
  },
  selfKeyInfo: {
    yes: {
      en: 'Vigil can read its own key’s permissions and IP whitelist.',
      'zh-CN': 'Vigil 可以读取自身密钥的权限和 IP 白名单。',
      'zh-TW': 'Vigil 可以讀取自身金鑰的權限與 IP 白名單。'
    },
    no: {
      en: '{exchange} does not tell Vigil its own key’s permissions.',
      'zh-CN': '{exchange} 不会告诉 Vigil 自身密钥的权限。',
      'zh-TW': '{exchange} 不會告訴 Vigil 自身金鑰的權限。'
    }
  },
  revokeKey: {
    yes: {
      en: 'The kill switch can revoke or disable the API key on {exchange}.',
      'zh-CN': '紧急熔断可以在 {exchange} 上吊销或停用 API 密钥。',
      'zh-TW': '緊急熔斷可以在 {exchange} 上撤銷或停用 API 金鑰。'
    },
    no: {
      en: 'The kill switch cannot revoke keys on {exchange}: you revoke them by hand on the website.',
      'zh-CN': '紧急熔断无法在 {exchange} 上吊销密钥：需要你在网站上手动吊销。',
      'zh-TW': '緊急熔斷無法在 {exchange} 上撤銷金鑰：需要你到網站上手動撤銷。'
    }
  },
  cancelAll: {
    yes: {
      en: 'The kill switch can cancel every open order.',
      'zh-CN': '紧急熔断可以撤销所有挂单。',
      'zh-TW': '緊急熔斷可以取消所有掛單。'
    },
    no: {
      en: 'The kill switch cannot cancel orders on {exchange}.',
      'zh-CN': '紧急熔断无法在 {exchange} 上撤单。',
      'zh-TW': '緊急熔斷無法在 {exchange} 上取消掛單。'
    }
  },
  orders: {
    yes: {
      en: 'Vigil reads the account’s orders.',
      'zh-CN': 'Vigil 会读取账户的订单。',
      'zh-TW': 'Vigil 會讀取帳戶的訂單。'
    },
    no: {
      en: 'Vigil cannot read orders on {exchange}.',
      'zh-CN': 'Vigil 无法读取 {exchange} 上的订单。',
      'zh-TW': 'Vigil 無法讀取 {exchange} 上的訂單。'
    }
  },
  fills: {
    yes: {
      en: 'Vigil reads the account’s fills.',
      'zh-CN': 'Vigil 会读取账户的成交记录。',
      'zh-TW': 'Vigil 會讀取帳戶的成交紀錄。'
    },
    no: {
      en: 'Vigil cannot read fills on {exchange}.',
      'zh-CN': 'Vigil 无法读取 {exchange} 上的成交记录。',
      'zh-TW': 'Vigil 無法讀取 {exchange} 上的成交紀錄。'
    }
  },
  withdrawals: {
    yes: {
      en: 'Vigil reads withdrawals and transfers.',
      'zh-CN': 'Vigil 会读取提现和划转记录。',
      'zh-TW': 'Vigil 會讀取提領與劃轉紀錄。'
    },
    no: {
      en: 'Vigil cannot read withdrawals on {exchange}.',
      'zh-CN': 'Vigil 无法读取 {exchange} 上的提现记录。',
      'zh-TW': 'Vigil 無法讀取 {exchange} 上的提領紀錄。'
    }
  },
  addressBook: {
    yes: {
      en: 'Vigil watches the withdrawal address book.',
      'zh-CN': 'Vigil 会监控提现地址簿。',
      'zh-TW': 'Vigil 會監控提領地址簿。'
    },
    no: {
      en: '{exchange} does not show the withdrawal address book over its API.',
      'zh-CN': '{exchange} 未通过 API 提供提现地址簿。',
      'zh-TW': '{exchange} 沒有透過 API 提供提領地址簿。'
    }
  },
  positions: {
    yes: {
      en: 'Vigil reads open positions and leverage.',
      'zh-CN': 'Vigil 会读取持仓和杠杆。',
      'zh-TW': 'Vigil 會讀取持倉與槓桿。'
    },
    no: {
      en: 'Vigil cannot read positions on {exchange}.',
      'zh-CN': 'Vigil 无法读取 {exchange} 上的持仓。',
      'zh-TW': 'Vigil 無法讀取 {exchange} 上的持倉。'
    }
  },
  deadMan: {
    yes: {
      en: '{exchange} has a dead-man timer: open orders are cancelled if Vigil stops checking in.',
      'zh-CN': '{exchange} 支持失联自动撤单：如果 Vigil 停止发送心跳，所有挂单会被自动撤销。',
      'zh-TW': '{exchange} 支援斷線自動撤單：如果 Vigil 停止傳送心跳訊號，所有掛單會被自動取消。'
    },
    no: {
      en: '{exchange} has no dead-man timer Vigil can use.',
      'zh-CN': '{exchange} 没有 Vigil 可用的失联自动撤单功能。',
      'zh-TW': '{exchange} 沒有 Vigil 可用的斷線自動撤單功能。'
    }
  }
}

/** The capability's short sentence in every UI language, or undefined for an unknown id. */
export function capabilityNoteI18n(
  id: string,
  supported: boolean,
  exchange: string
): Sentences | undefined {
  const entry = TEXT[id as Id]
  if (!entry) return undefined
  const s = supported ? entry.yes : entry.no
  const fill = (t: string) => t.replace(/\{exchange\}/g, exchange)
  return { en: fill(s.en), 'zh-CN': fill(s['zh-CN']), 'zh-TW': fill(s['zh-TW']) }
}

/** Capabilities as the API shows them: the connector's note plus the translated short sentence. */
export function withNoteI18n<C extends { id: string; supported: boolean }>(
  capabilities: readonly C[],
  exchange: string
): (C & { noteI18n?: Sentences })[] {
  return capabilities.map((c) => {
    const noteI18n = capabilityNoteI18n(c.id, c.supported, exchange)
    return noteI18n ? { ...c, noteI18n } : { ...c }
  })
}

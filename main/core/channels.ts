/**
 * Remote notification channels for a trader away from the PC: a generic webhook, a Telegram bot
 * and ntfy. Each channel's secret (webhook bearer token, bot token, ntfy access token) lives in the
 * secret store under `channel:<id>`, never in settings; the rest of its configuration is stored in
 * SQLite. Channels carry text only: the kill-switch button stays on the trusted desktop.
 */
import type { Db } from './db/open'
import { levelRank, type Level } from './model'
import type {
  Logger,
  NotificationHandle,
  NotificationRequest,
  Notifier,
  SecretStore
} from './ports'

export type ChannelKind = 'webhook' | 'telegram' | 'ntfy'

export interface ChannelConfig {
  id: string
  kind: ChannelKind
  name: string
  /** webhook: only the origin, for display (the full URL is a credential, kept in the keychain); telegram: the Bot API base (default https://api.telegram.org); ntfy: the server (default https://ntfy.sh). */
  url: string
  /** telegram: chat id; ntfy: topic; webhook: unused. */
  target: string
  minLevel: Level
  enabled: boolean
}

export interface ChannelMessage {
  title: string
  body: string
  level: Level
  incidentId?: string
}

export const channelSlot = (id: string): string => `channel:${id}`

const TIMEOUT_MS = 10_000

async function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers,
    signal: AbortSignal.timeout(TIMEOUT_MS),
    redirect: 'error'
  })
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).slice(0, 200)
    throw new Error(`HTTP ${res.status}${text ? `: ${text}` : ''}`)
  }
}

/** Sends one message through one channel. Throws with a plain reason when delivery fails. */
export async function deliver(
  channel: ChannelConfig,
  secret: string | null,
  message: ChannelMessage
): Promise<void> {
  switch (channel.kind) {
    case 'webhook': {
      // Webhook URLs (Slack, Discord, …) are themselves credentials: the full URL lives in the keychain.
      const stored = secret ? (JSON.parse(secret) as { url?: string; token?: string }) : {}
      if (!stored.url) throw new Error('the webhook URL is missing from the keychain')
      return post(
        stored.url,
        JSON.stringify({
          source: 'vigil',
          title: message.title,
          body: message.body,
          level: message.level,
          incidentId: message.incidentId ?? null
        }),
        {
          'Content-Type': 'application/json',
          ...(stored.token ? { Authorization: `Bearer ${stored.token}` } : {})
        }
      )
    }
    case 'telegram': {
      if (!secret) throw new Error('the Telegram bot token is missing from the keychain')
      const base = (channel.url || 'https://api.telegram.org').replace(/\/+$/, '')
      return post(
        `${base}/bot${secret}/sendMessage`,
        JSON.stringify({
          chat_id: channel.target,
          text: `${message.title}\n\n${message.body}`,
          disable_web_page_preview: true
        }),
        { 'Content-Type': 'application/json' }
      )
    }
    case 'ntfy': {
      const base = (channel.url || 'https://ntfy.sh').replace(/\/+$/, '')
      const priority = message.level === 'critical' ? '5' : message.level === 'high' ? '4' : '3'
      // ntfy takes the title in a header; HTTP headers must be Latin-1, so non-ASCII goes RFC 2047-encoded.
      const title = /^[\x20-\x7e]*$/.test(message.title)
        ? message.title
        : `=?UTF-8?B?${Buffer.from(message.title).toString('base64')}?=`
      return post(`${base}/${encodeURIComponent(channel.target)}`, message.body, {
        Title: title,
        Priority: priority,
        Tags: message.level === 'critical' || message.level === 'high' ? 'rotating_light' : 'bell',
        ...(secret ? { Authorization: `Bearer ${secret}` } : {})
      })
    }
  }
}

/** Channel configuration (no secrets) as one settings document. */
export class ChannelsRepo {
  constructor(private readonly db: Db) {}

  list(): ChannelConfig[] {
    const row = this.db.prepare("SELECT value FROM settings WHERE key = 'channels'").get() as
      { value: string } | undefined
    return row ? (JSON.parse(row.value) as ChannelConfig[]) : []
  }

  save(channels: ChannelConfig[]): void {
    this.db
      .prepare(
        "INSERT INTO settings (key, value) VALUES ('channels', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
      )
      .run(JSON.stringify(channels))
  }
}

/**
 * Wraps the desktop notifier: every notification still goes to the desktop (with its buttons),
 * and a copy goes to each enabled remote channel whose minimum level it reaches. A failing channel
 * is logged and never blocks the desktop popup or the other channels.
 */
export function withRemoteChannels(
  desktop: Notifier,
  options: { channels: () => ChannelConfig[]; secrets: SecretStore; logger: Logger }
): Notifier & { flush(): Promise<void> } {
  const pending = new Set<Promise<void>>()
  return {
    supportsActions: desktop.supportsActions,
    notify(request: NotificationRequest): NotificationHandle {
      const handle = desktop.notify(request)
      const level: Level =
        request.level ??
        (request.urgency === 'critical' ? 'high' : request.urgency === 'low' ? 'info' : 'medium')
      for (const channel of options.channels()) {
        if (!channel.enabled || levelRank(level) < levelRank(channel.minLevel)) continue
        const job = options.secrets
          .get(channelSlot(channel.id))
          .then((secret) =>
            deliver(channel, secret, {
              title: request.title,
              body: request.body,
              level,
              incidentId: request.id
            })
          )
          .catch((error: unknown) =>
            options.logger.warn('remote channel failed', {
              channel: channel.name,
              reason: (error as Error).message
            })
          )
          .finally(() => pending.delete(job))
        pending.add(job)
      }
      return handle
    },
    async flush() {
      await Promise.all([...pending])
    }
  }
}

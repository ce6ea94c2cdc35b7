import type { LogFields, Logger } from '../../core/ports'

const SENSITIVE =
  /secret|password|passphrase|apikey|api_key|token|signature|authorization|credential/i

/** Replaces the values of secret-looking fields, at any depth, before anything is written. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1))
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SENSITIVE.test(k) ? '[redacted]' : redact(v, depth + 1)
    ])
  )
}

/** Line-oriented logger on stderr. Secrets never reach it: fields are redacted by name. */
export function createConsoleLogger(
  options: { level?: 'debug' | 'info' | 'warn' | 'error'; write?: (line: string) => void } = {}
): Logger {
  const order = ['debug', 'info', 'warn', 'error'] as const
  const min = order.indexOf(options.level ?? 'info')
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'))
  const log = (level: (typeof order)[number]) => (message: string, fields?: LogFields) => {
    if (order.indexOf(level) < min) return
    const extra = fields ? ' ' + JSON.stringify(redact(fields)) : ''
    write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}${extra}`)
  }
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
}

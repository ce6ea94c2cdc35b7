import type { LogFields, Logger } from '../core/ports'

/**
 * The shell's logger: one line per message on stdout / stderr, where Electron's own logs go.
 * Callers keep secrets out of `fields`; this module does not inspect them.
 */
export const consoleLogger: Logger = {
  debug: (message, fields) => console.debug(line('debug', message, fields)),
  info: (message, fields) => console.info(line('info', message, fields)),
  warn: (message, fields) => console.warn(line('warn', message, fields)),
  error: (message, fields) => console.error(line('error', message, fields))
}

function line(level: string, message: string, fields?: LogFields): string {
  return `[vigil] ${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`
}

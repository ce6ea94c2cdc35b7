import type { Migration } from '../migrate'
import { sql as init } from './1767225600000_init'
import { sql as alerts } from './1767225700000_alerts'
import { sql as alertI18n } from './1767225800000_alert_i18n'
import { sql as errorMessages } from './1767225900000_error_messages'

/** Every migration, in id order. A test checks this list against the files in this folder. */
export const migrations: Migration[] = [
  { id: '1767225600000_init', sql: init },
  { id: '1767225700000_alerts', sql: alerts },
  { id: '1767225800000_alert_i18n', sql: alertI18n },
  { id: '1767225900000_error_messages', sql: errorMessages }
]

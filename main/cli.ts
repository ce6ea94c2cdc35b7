/**
 * `npm run vigil -- <command>`: the command line for things a trader or support engineer does
 * without the window.
 *
 *   report <incident-id> [--format markdown|json] [--language en|zh-CN|zh-TW] [--data-dir DIR] [--out FILE]
 *   incidents [--data-dir DIR]
 */
import { writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

import { openDatabase } from './core/db/open'
import { CORE_LANGUAGES, type CoreLanguage } from './core/i18n'
import { buildIncidentReport, incidentReportMarkdown } from './core/incident-report'
import { Incidents } from './core/incidents'

const defaultDataDir = () =>
  process.env.VIGIL_DATA_DIR ||
  join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'vigil')

export function runCli(
  argv: string[],
  write: (text: string) => void = (t) => process.stdout.write(t)
): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'markdown' },
      language: { type: 'string', default: 'en' },
      'data-dir': { type: 'string' },
      out: { type: 'string' }
    }
  })
  const [command, arg] = positionals
  const db = openDatabase(join(values['data-dir'] ?? defaultDataDir(), 'vigil.db'))
  try {
    if (command === 'incidents') {
      for (const i of new Incidents(db).list({ limit: 1000 })) {
        write(
          `${i.id}\t${i.scope}\t${i.level}\t${i.status}\t${new Date(i.openedAt).toISOString()}\t${i.accountId}\t${i.title}\n`
        )
      }
      return 0
    }
    if (command === 'report' && arg) {
      if (values.format !== 'markdown' && values.format !== 'json')
        throw new Error('--format must be markdown or json')
      const language = values.language as CoreLanguage
      if (!CORE_LANGUAGES.includes(language))
        throw new Error(`--language must be one of ${CORE_LANGUAGES.join(', ')}`)
      const report = buildIncidentReport(db, arg, Date.now(), language)
      const text =
        values.format === 'json'
          ? JSON.stringify(report, null, 2) + '\n'
          : incidentReportMarkdown(report, language)
      if (values.out) writeFileSync(values.out, text)
      else write(text)
      return 0
    }
    process.stderr.write(
      'usage: npm run vigil -- report <incident-id> [--format markdown|json] [--language en|zh-CN|zh-TW] [--data-dir DIR] [--out FILE]\n       npm run vigil -- incidents [--data-dir DIR]\n'
    )
    return 2
  } finally {
    db.close()
  }
}

if (require.main === module) {
  try {
    process.exit(runCli(process.argv.slice(2)))
  } catch (error) {
    process.stderr.write(`vigil: ${(error as Error).message}\n`)
    process.exit(1)
  }
}

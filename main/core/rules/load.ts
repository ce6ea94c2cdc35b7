/**
 * Reads and validates the shipped rule files. A file that does not parse or validate is rejected
 * with an error naming the file and the field path; every other rule keeps running, because one
 * typo in one rule must not switch off the guardian.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import { parse } from 'yaml'
import type { z } from 'zod'

import type { Message } from '../../api/messages'
import { ruleSchema, type RuleDoc } from './schema'

/** Why one rule file was rejected. */
export interface RuleLoadError {
  file: string
  message: string
  /** The message as a descriptor, where it has one (an invalid setting), for the UI's language. */
  msg?: Message
}

/** The rules that validated, and why the others did not. */
export interface LoadedRules {
  rules: RuleDoc[]
  errors: RuleLoadError[]
}

/** The file name a rule with this id must have: dots become underscores. */
export const ruleFileName = (id: string): string => `${id.replace(/\./g, '_')}.yaml`

/** Formats zod issues as `field.path: message`, one per line. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ')
}

/** Validates one rule document (already parsed from YAML). */
export function parseRule(doc: unknown, file: string): { rule?: RuleDoc; error?: RuleLoadError } {
  const result = ruleSchema.safeParse(doc)
  if (!result.success) return { error: { file, message: formatIssues(result.error.issues) } }
  const expected = ruleFileName(result.data.id)
  if (file !== expected) {
    return {
      error: { file, message: `id: file name must be ${expected} for id ${result.data.id}` }
    }
  }
  return { rule: result.data }
}

/** Loads every `*.yaml` / `*.yml` file in `dir`, in file-name order. */
export function loadRules(dir: string): LoadedRules {
  const rules: RuleDoc[] = []
  const errors: RuleLoadError[] = []
  let files: string[]
  try {
    files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
  } catch (error) {
    return {
      rules,
      errors: [{ file: dir, message: `cannot read rules folder: ${(error as Error).message}` }]
    }
  }
  const seen = new Map<string, string>()
  for (const file of files) {
    let doc: unknown
    try {
      doc = parse(readFileSync(join(dir, file), 'utf8'), { prettyErrors: true, uniqueKeys: true })
    } catch (error) {
      errors.push({ file, message: `YAML: ${(error as Error).message.split('\n')[0]}` })
      continue
    }
    const { rule, error } = parseRule(doc, file)
    if (error) {
      errors.push(error)
      continue
    }
    if (!rule) continue
    const other = seen.get(rule.id)
    if (other) {
      errors.push({ file, message: `id: ${rule.id} is already defined in ${other}` })
      continue
    }
    seen.set(rule.id, file)
    rules.push(rule)
  }
  return { rules, errors }
}

/**
 * Turns validation problems into one-line, path-first messages such as
 * `accounts[0].exchange: expected one of deribit|bybit|binance|okx, got "binanse"`.
 * Scenario authors fix files by path, so every message starts with the JSON path.
 */
import type { z } from 'zod'

/** One problem in a scenario file. */
export interface ScenarioIssue {
  /** JSON path segments from the document root. */
  path: (string | number)[]
  message: string
}

/** Formats path segments as `accounts[0].key.permissions[2]`; the empty path is `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) {
      out += out === '' ? segment : `.${segment}`
    } else out += `[${JSON.stringify(String(segment))}]`
  }
  return out === '' ? '(root)' : out
}

/** Renders an issue as `path: message`. */
export function formatIssue(issue: ScenarioIssue): string {
  return `${formatPath(issue.path)}: ${issue.message}`
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return `a ${typeof value}`
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cursor: unknown = root
  for (const segment of path) {
    if (cursor === null || typeof cursor !== 'object') return undefined
    cursor = (cursor as Record<PropertyKey, unknown>)[segment]
  }
  return cursor
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]
      row[j] = Math.min(
        row[j] + 1,
        row[j - 1] + 1,
        diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1)
      )
      diagonal = above
    }
  }
  return row[b.length]
}

/** The closest known name, when it is close enough to be a plausible typo. */
export function suggest(word: string, known: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of known) {
    const distance = editDistance(word, candidate)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  const tolerance = Math.max(1, Math.min(3, Math.floor(word.length / 3)))
  return bestDistance <= tolerance ? best : undefined
}

type ZodIssue = z.core.$ZodIssue

function boundMessage(issue: ZodIssue & { code: 'too_small' | 'too_big' }): string {
  const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum
  const inclusive = issue.inclusive !== false
  if (issue.origin === 'array') {
    return issue.code === 'too_small'
      ? `must have at least ${limit} item${Number(limit) === 1 ? '' : 's'}`
      : `must have at most ${limit} items`
  }
  if (issue.origin === 'string') {
    return issue.code === 'too_small' ? 'must not be empty' : `must be at most ${limit} characters`
  }
  if (issue.code === 'too_small') return `must be ${inclusive ? '≥' : '>'} ${limit}`
  return `must be ${inclusive ? '≤' : '<'} ${limit}`
}

/**
 * Converts zod issues into scenario issues. `input` is the document as given, used to say what was
 * found; `knownFields` feeds the "did you mean" hint for unknown fields.
 */
export function fromZodIssues(
  issues: readonly ZodIssue[],
  input: unknown,
  knownFields: Iterable<string>
): ScenarioIssue[] {
  const known = [...knownFields]
  const out: ScenarioIssue[] = []
  for (const issue of issues) {
    const path = issue.path.map((segment) =>
      typeof segment === 'number' ? segment : String(segment)
    )
    const found = valueAt(input, issue.path)
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const hint = suggest(key, known)
          out.push({
            path: [...path, key],
            message: `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}`
          })
        }
        break
      case 'invalid_type':
        out.push({
          path,
          message:
            found === undefined
              ? `required field missing (expected ${issue.expected})`
              : `expected ${issue.expected}, got ${describe(found)}`
        })
        break
      case 'invalid_value': {
        const values = issue.values.map((value) => String(value))
        const expected =
          values.length === 1
            ? `expected ${JSON.stringify(issue.values[0])}`
            : `expected one of ${values.join('|')}`
        out.push({ path, message: `${expected}, got ${describe(found)}` })
        break
      }
      case 'invalid_union': {
        const options = (issue as { options?: unknown[] }).options
        if (Array.isArray(options)) {
          out.push({
            path,
            message:
              found === undefined
                ? `required field missing (expected one of ${options.join('|')})`
                : `expected one of ${options.join('|')}, got ${describe(found)}`
          })
        } else {
          out.push({ path, message: `does not match any allowed form, got ${describe(found)}` })
        }
        break
      }
      case 'too_small':
      case 'too_big':
        out.push({ path, message: `${boundMessage(issue)}, got ${describe(found)}` })
        break
      case 'invalid_key':
        out.push({ path, message: `invalid key: ${issue.issues[0]?.message ?? issue.message}` })
        break
      case 'invalid_format':
        out.push({ path, message: `${issue.message}, got ${describe(found)}` })
        break
      default:
        out.push({ path, message: issue.message })
    }
  }
  return out
}

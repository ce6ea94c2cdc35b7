/**
 * Turns a validated rule document plus its parameter values into closures the engine can run per
 * event: compiled blocks, condition, kind expressions, and the kind block with every `$param`
 * replaced by its value. Compilation is where a rule that passed the schema can still be wrong
 * (an unknown derived field, a bad regex, an override of the wrong type); those errors are thrown
 * here and reported through loadErrors() without stopping the other rules.
 */
import { msg } from '../../api/messages'
import { MessageError } from '../exchanges/connector'
import type { Level } from '../model'
import { DERIVED_FIELDS, type EventView } from './fields'
import {
  BlockResults,
  compileBlock,
  compileCondition,
  type FieldReader,
  type Matcher
} from './operators'
import {
  blockNames,
  expressionNames,
  matchBlockNames,
  ruleKind,
  type Block,
  type ParamSpec,
  type RuleDoc,
  type RuleKind,
  type WindowSpec
} from './schema'

/** The value of one param after defaults and overrides (null switches an optional check off). */
export type ParamValue = number | boolean | string | null

/** A compiled expression and whether it only looks at the event type (so SQL can count it). */
export interface CompiledExpr {
  match: Matcher
  typeOnly: boolean
}

/** A rule ready to run: compiled blocks and expressions, resolved params and settings. */
export interface CompiledRule {
  doc: RuleDoc
  id: string
  kind: RuleKind
  family: string
  level: Level
  enabled: boolean
  params: Record<string, ParamValue>
  types: string[]
  condition: CompiledExpr
  /** The kind block with params substituted (shape per kind, see schema.ts). */
  spec: Record<string, unknown>
  /** Rule-level dedup (`dedup:` in the file) with its period resolved. */
  dedup: { by: string[]; ms: number } | null
  expr(source: string | undefined): CompiledExpr
  /** Runs an expression against an event view. */
  test(expr: CompiledExpr, view: EventView): boolean
  /** Runs a type-only expression against a bare field reader (rows read from the index). */
  testWith(expr: CompiledExpr, read: FieldReader): boolean
}

const UNIT_MS = { seconds: 1_000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const

const windows = new WeakMap<object, number>()

/** A resolved window in milliseconds (memoised per resolved spec object: kinds ask per event). */
export function windowMs(spec: unknown): number {
  if (spec && typeof spec === 'object') {
    const known = windows.get(spec)
    if (known !== undefined) return known
    const ms = readWindow(spec)
    windows.set(spec, ms)
    return ms
  }
  return readWindow(spec)
}

function readWindow(spec: unknown): number {
  const w = (spec ?? {}) as WindowSpec
  for (const [unit, ms] of Object.entries(UNIT_MS)) {
    const value = w[unit as keyof WindowSpec]
    if (value === undefined) continue
    if (typeof value !== 'number' || !(value > 0))
      throw new Error(`window ${unit} must be a positive number`)
    return value * ms
  }
  throw new Error('window has no length')
}

/** Reads a resolved numeric setting, or a fallback when the param is null (switched off). */
export function numberSetting(
  spec: Record<string, unknown>,
  key: string,
  fallback: number | null = null
): number | null {
  const v = spec[key]
  if (v === undefined || v === null) return fallback
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${key} must be a number`)
  return v
}

function checkParam(name: string, spec: ParamSpec, value: unknown): ParamValue {
  if (value === null) return null
  const expected = spec.default === null ? typeof value : typeof spec.default
  if (typeof value !== expected) {
    const type = (['number', 'boolean', 'string'] as const).find((t) => t === expected)
    throw new MessageError(
      msg('rules.param.type', { name, expected: type ? msg(`rules.type.${type}`) : expected })
    )
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MessageError(msg('rules.param.finite', { name }))
    if (spec.min !== undefined && value < spec.min)
      throw new MessageError(msg('rules.param.min', { name, min: spec.min }))
    if (spec.max !== undefined && value > spec.max)
      throw new MessageError(msg('rules.param.max', { name, max: spec.max }))
  }
  return value as ParamValue
}

/** Defaults, then each override layer in order; unknown names and wrong types throw. */
export function resolveParams(
  doc: RuleDoc,
  ...layers: (Record<string, ParamValue> | undefined)[]
): Record<string, ParamValue> {
  const values: Record<string, ParamValue> = {}
  for (const [name, spec] of Object.entries(doc.params))
    values[name] = checkParam(name, spec, spec.default)
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer ?? {})) {
      const spec = doc.params[name]
      if (!spec) throw new MessageError(msg('rules.param.unknown', { name, rule: doc.id }))
      values[name] = checkParam(name, spec, value)
    }
  }
  return values
}

function substitute(value: unknown, params: Record<string, ParamValue>): unknown {
  if (typeof value === 'string' && value.startsWith('$')) return params[value.slice(1)]
  if (Array.isArray(value)) return value.map((v) => substitute(v, params))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, params)]))
  }
  return value
}

// Blocks that read only these can be evaluated from the index (type, ts) without parsing JSON.
const TYPE_FIELDS = new Set(['type', 'kind'])

/** Next per-view memo slot for a rule compiled without one (see BlockResults). */
let nextSlot = 0

function blockFields(block: Block): string[] {
  const maps = Array.isArray(block) ? block : [block]
  return maps.flatMap((m) => Object.keys(m).map((k) => k.split('|')[0] as string))
}

/** Compiles one rule with the given parameter values. */
export function compileRule(
  doc: RuleDoc,
  params: Record<string, ParamValue>,
  settings: { enabled?: boolean; level?: string; slot?: number } = {}
): CompiledRule {
  const kind = ruleKind(doc.detection)
  const detection = doc.detection as Record<string, unknown>
  const names = blockNames(doc.detection)
  // Indexed like `names`: compiled conditions refer to blocks by position.
  const blocks: ((read: FieldReader) => boolean)[] = []
  const typeOnlyBlocks = new Set<string>()
  for (const name of names) {
    const block = substitute(detection[name], params) as Block
    for (const field of blockFields(block)) {
      if (field.startsWith('derived.') && !DERIVED_FIELDS.includes(field.slice(8))) {
        throw new Error(
          `detection.${name}: unknown derived field ${field} (known: ${DERIVED_FIELDS.join(', ')})`
        )
      }
    }
    try {
      blocks.push(compileBlock(block))
    } catch (error) {
      throw new Error(`detection.${name}: ${(error as Error).message}`, { cause: error })
    }
    if (blockFields(block).every((f) => TYPE_FIELDS.has(f))) typeOnlyBlocks.add(name)
  }
  const compileExpr = (source: string): CompiledExpr => {
    const refs = expressionNames(source).flatMap((r) => matchBlockNames(r, names))
    return {
      match: compileCondition(source, names),
      typeOnly: refs.every((r) => typeOnlyBlocks.has(r))
    }
  }
  let condition: CompiledExpr = { match: () => false, typeOnly: true }
  try {
    if (doc.detection.condition !== undefined) condition = compileExpr(doc.detection.condition)
  } catch (error) {
    throw new Error(`detection.condition: ${(error as Error).message}`, { cause: error })
  }
  const cache = new Map<string, CompiledExpr>()
  const expr = (source: string | undefined): CompiledExpr => {
    if (source === undefined) return condition
    let compiled = cache.get(source)
    if (!compiled) cache.set(source, (compiled = compileExpr(source)))
    return compiled
  }
  const spec = (kind === 'match' ? {} : substitute(detection[kind], params)) as Record<
    string,
    unknown
  >
  // Resolve every window and expression the kind block uses now, so errors surface at load time.
  for (const key of ['window', 'lookback', 'bucket', 'dedup']) {
    if (spec[key] !== undefined) {
      try {
        windowMs(spec[key])
      } catch (error) {
        throw new Error(`detection.${kind}.${key}: ${(error as Error).message}`, { cause: error })
      }
    }
  }
  const escalate = spec.escalate as { window?: unknown } | undefined
  if (escalate) windowMs(escalate.window)
  let dedup: CompiledRule['dedup'] = null
  if (doc.dedup) {
    try {
      dedup = { by: doc.dedup.by, ms: windowMs(substitute(doc.dedup.window, params)) }
    } catch (error) {
      throw new Error(`dedup.window: ${(error as Error).message}`, { cause: error })
    }
  }
  for (const key of ['ratioOf', 'learn', 'population']) {
    if (typeof spec[key] === 'string') expr(spec[key] as string)
  }
  const learning = spec.learning as { basis?: string } | undefined
  if (learning?.basis) expr(learning.basis)
  for (const step of (spec.steps as { match: string }[] | undefined) ?? []) expr(step.match)

  // Each rule keeps its block results in its own slot of an event's memo. The engine numbers its
  // rules (and starts its views over when it recompiles them); other callers get a fresh slot.
  const slot = settings.slot ?? nextSlot++
  return {
    doc,
    id: doc.id,
    kind,
    family: doc.id.split('.')[0] as string,
    level: (settings.level ?? doc.level) as Level,
    enabled: settings.enabled ?? doc.enabled,
    params,
    types: doc.source.types,
    condition,
    spec,
    dedup,
    expr,
    test(compiled, view) {
      return compiled.match(view.get, view.blocks.use(blocks, slot))
    },
    testWith(compiled, read) {
      return compiled.match(read, new BlockResults(read).use(blocks, 0))
    }
  }
}

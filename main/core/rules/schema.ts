/**
 * The rule file format: one YAML document per rule in resources/rules/, shaped like a Sigma rule
 * (id, title, status, description, level, tags, detection with named `selection` / `filter_*`
 * blocks and a `condition`, falsepositives) plus what Vigil needs on top: `source` (the event
 * types the rule reads), one kind-specific block inside `detection` (threshold, sequence,
 * new_value, baseline, geo_velocity, posture, health; none means a plain match), `action`,
 * `enabled`, tunable `params` and an `explanation` template.
 *
 * Any number inside a kind block may be written as `$name`, a reference to a param: the param's
 * value (default, or the user's override) is substituted when the rule is compiled, so thresholds
 * live in one place the UI can edit.
 */
import { z } from 'zod'

const levelSchema = z.enum(['info', 'low', 'medium', 'high', 'critical'])

/** Detection kinds; the kind of a rule is the kind block in its detection (none: match). */
export const RULE_KINDS = [
  'match',
  'threshold',
  'sequence',
  'new_value',
  'baseline',
  'geo_velocity',
  'posture',
  'health'
] as const
/** One of RULE_KINDS. */
export type RuleKind = (typeof RULE_KINDS)[number]

/** Kind blocks that may appear inside `detection` (a rule without one is a plain match). */
export const KIND_BLOCKS = RULE_KINDS.filter((k) => k !== 'match')

/** Field modifiers understood in detection blocks (`field|modifier: value`). */
export const MODIFIERS = [
  'contains',
  'startswith',
  'endswith',
  're',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
  'empty',
  'all',
  'cidr'
] as const
/** One of MODIFIERS. */
export type Modifier = (typeof MODIFIERS)[number]

/** Top-level event properties a block may test, besides `data.*` and the engine's `derived.*`. */
export const EVENT_FIELDS = [
  'type',
  'kind',
  'accountId',
  'origin',
  'exchangeRecordId',
  'ts'
] as const

const PARAM_REF = /^\$[A-Za-z][A-Za-z0-9_]*$/
const BLOCK_NAME = /^(selection|filter)(_[a-z0-9_]+)?$/
const FIELD_PATH =
  /^(?:(?:data|derived)\.[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*|type|kind|accountId|origin|exchangeRecordId|ts)$/

const paramRef = z.string().regex(PARAM_REF, 'a param reference looks like $name')
const numberOrParam = z.union([z.number(), paramRef])
const fieldPath = z
  .string()
  .regex(FIELD_PATH, 'a field is data.<path>, derived.<name> or one of ' + EVENT_FIELDS.join(', '))

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()])
const blockValue = z.union([scalar, z.array(scalar).min(1)])

/** `field|mod|mod: value`: field path and modifiers are checked, values are scalars or lists. */
const blockMap = z.record(z.string(), blockValue).superRefine((map, ctx) => {
  for (const key of Object.keys(map)) {
    const [field, ...mods] = key.split('|')
    if (!FIELD_PATH.test(field ?? '')) {
      ctx.addIssue({ code: 'custom', path: [key], message: `unknown field "${field}"` })
    }
    for (const mod of mods) {
      if (!(MODIFIERS as readonly string[]).includes(mod)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `unknown modifier "${mod}" (known: ${MODIFIERS.join(', ')})`
        })
      }
    }
  }
})
/** A block: a map (all entries must match) or a list of maps (any map may match). */
export const blockSchema = z.union([blockMap, z.array(blockMap).min(1)])
/** A compiled-ready detection block (map = AND, list of maps = OR). */
export type Block = z.infer<typeof blockSchema>

const windowSchema = z
  .object({
    seconds: numberOrParam.optional(),
    minutes: numberOrParam.optional(),
    hours: numberOrParam.optional(),
    days: numberOrParam.optional()
  })
  .strict()
  .refine((w) => Object.values(w).filter((v) => v !== undefined).length === 1, {
    message: 'a window has exactly one of seconds, minutes, hours, days'
  })
/** A window before param substitution: exactly one of seconds / minutes / hours / days. */
export type WindowSpec = z.infer<typeof windowSchema>

/** A condition expression over block names, e.g. `selection and not 1 of filter_*`. */
const expression = z.string().min(1)

const learningSchema = z
  .object({
    /** Samples the account must have before the rule judges anything. */
    minSamples: numberOrParam,
    /** Days between the first sample and the judged event. */
    minDays: numberOrParam.optional(),
    /** Which learned events count as samples (default: every learned event). */
    basis: expression.optional(),
    /**
     * Live events on an account observed for at least this many days are judged even without
     * samples: an account that traded for a month and never withdrew has learned that it does
     * not withdraw.
     */
    liveAfterAccountDays: numberOrParam.optional()
  })
  .strict()

const limitSchema = z
  .object({
    /** `window`: the aggregate over the window (default); `event`: the triggering event alone. */
    over: z.enum(['window', 'event']).default('window'),
    gt: numberOrParam.optional(),
    gte: numberOrParam.optional(),
    lt: numberOrParam.optional(),
    lte: numberOrParam.optional(),
    /** Compare as a fraction of the account's equity in USD instead of an absolute value. */
    of: z.enum(['equity']).optional(),
    /** Events the window must hold before this limit applies (for ratios). */
    minCount: numberOrParam.optional()
  })
  .strict()
  .refine((l) => [l.gt, l.gte, l.lt, l.lte].filter((v) => v !== undefined).length === 1, {
    message: 'a limit has exactly one of gt, gte, lt, lte'
  })

const thresholdSchema = z
  .object({
    window: windowSchema,
    /** Counted separately per value of these fields (the account is always a group). */
    groupBy: z.array(fieldPath).max(3).optional(),
    metric: z.enum(['count', 'distinct', 'sum', 'ratio']).default('count'),
    /** The field for distinct and sum. */
    field: fieldPath.optional(),
    /** For ratio: the fraction of window events matching this expression. */
    ratioOf: expression.optional(),
    /** The rule fires when any limit is crossed by the triggering event. */
    limits: z.array(limitSchema).min(1)
  })
  .strict()
  .superRefine((t, ctx) => {
    if ((t.metric === 'distinct' || t.metric === 'sum') && !t.field) {
      ctx.addIssue({ code: 'custom', path: ['field'], message: `metric ${t.metric} needs a field` })
    }
    if (t.metric === 'ratio' && !t.ratioOf) {
      ctx.addIssue({ code: 'custom', path: ['ratioOf'], message: 'metric ratio needs ratioOf' })
    }
  })

const sequenceSchema = z
  .object({
    window: windowSchema,
    /** Ordered steps; the last step's event triggers the check. */
    steps: z
      .array(
        z
          .object({ name: z.string().min(1), match: expression, min: numberOrParam.optional() })
          .strict()
      )
      .min(2),
    /** Fire only if at least one of these fields takes more than one value across the steps. */
    differ: z.array(fieldPath).min(1).max(3).optional()
  })
  .strict()

const newValueSchema = z
  .object({
    /** Up to three fields; their values together are the remembered value. */
    fields: z.array(fieldPath).min(1).max(3),
    /** How long a value stays known after it was last seen. */
    window: windowSchema,
    /** Which events teach the rule what is normal (default: the condition). */
    learn: expression.optional(),
    learning: learningSchema,
    /** Findings for the same new value inside this period are one finding. */
    dedup: windowSchema.optional(),
    /**
     * A value first seen less than this long ago is still new (an address used once, minutes ago,
     * by an attacker is not yet "known"). Default: known from its first sighting.
     */
    trustAfter: windowSchema.optional(),
    /** Raise the level when several new values appear close together. */
    escalate: z
      .object({
        level: levelSchema,
        count: numberOrParam,
        window: windowSchema
      })
      .strict()
      .optional(),
    /** Name of the remembered set in seen_values (default: the rule id). */
    memory: z
      .string()
      .regex(/^[a-z0-9_.:-]+$/)
      .optional()
  })
  .strict()

const baselineSchema = z
  .object({
    method: z.enum([
      'hour_profile',
      'rate',
      'acceleration',
      'percentile',
      'max',
      'hour_activity',
      'drawdown'
    ]),
    /** History the baseline is computed from (ends at the start of the event's UTC day). */
    window: windowSchema,
    /** Events that make up the baseline (default: the condition). */
    population: expression.optional(),
    /** The numeric field (percentile, max, drawdown). */
    field: fieldPath.optional(),
    learning: learningSchema.optional(),
    /** rate / acceleration: bucket width. drawdown: the look-back window. */
    bucket: windowSchema.optional(),
    /** hour_profile: hours on each side pooled with the event's hour. */
    smoothingHours: numberOrParam.optional(),
    /** hour_profile: fire below this probability. */
    maxProbability: numberOrParam.optional(),
    /** rate / acceleration: standard deviations above the mean. */
    sigma: numberOrParam.optional(),
    /** rate: also above this multiple of the window's busiest bucket. */
    maxFactor: numberOrParam.optional(),
    /** rate / acceleration / max: absolute floor for the observed value. */
    minValue: numberOrParam.optional(),
    /** percentile: which percentile, and how many times it the value must exceed. */
    percentile: numberOrParam.optional(),
    factor: numberOrParam.optional(),
    /** percentile: also fire above this fraction of equity. drawdown: the drop that fires. */
    equityShare: numberOrParam.optional(),
    dropShare: numberOrParam.optional()
  })
  .strict()
  .superRefine((b, ctx) => {
    const need = (key: keyof typeof b, methods: string[]) => {
      if (methods.includes(b.method) && b[key] === undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `method ${b.method} needs ${key}` })
      }
    }
    need('field', ['percentile', 'max', 'drawdown'])
    need('bucket', ['rate', 'acceleration', 'drawdown'])
    need('maxProbability', ['hour_profile'])
    need('sigma', ['rate', 'acceleration'])
    need('percentile', ['percentile'])
    need('factor', ['percentile'])
    need('dropShare', ['drawdown'])
  })

const geoVelocitySchema = z
  .object({
    maxKmh: numberOrParam,
    minKm: numberOrParam,
    /** How far back to look for the previous login. */
    lookback: windowSchema,
    /** The country field of both logins. */
    field: fieldPath.default('derived.country')
  })
  .strict()

const postureSchema = z
  .object({
    /** One standing finding per value of this field (the key id). */
    key: fieldPath.default('data.keyId')
  })
  .strict()

const healthSchema = z.object({}).strict()

const KIND_SCHEMAS = {
  threshold: thresholdSchema,
  sequence: sequenceSchema,
  new_value: newValueSchema,
  baseline: baselineSchema,
  geo_velocity: geoVelocitySchema,
  posture: postureSchema,
  health: healthSchema
} as const

/** Names a condition expression refers to (block names, `x*` patterns, `them`). */
export function expressionNames(expr: string): string[] {
  const words = expr.match(/[A-Za-z_][A-Za-z0-9_]*\*?/g) ?? []
  return words.filter((w) => !['and', 'or', 'not', 'of', 'all', 'any', 'them'].includes(w))
}

/** Block names matched by a name or `prefix*` pattern. */
export function matchBlockNames(pattern: string, names: readonly string[]): string[] {
  if (pattern === 'them') return [...names]
  if (pattern.endsWith('*')) return names.filter((n) => n.startsWith(pattern.slice(0, -1)))
  return names.filter((n) => n === pattern)
}

const detectionSchema = z
  .object({
    /** Required for every kind except health, whose rules judge no event. */
    condition: expression.optional(),
    threshold: thresholdSchema.optional(),
    sequence: sequenceSchema.optional(),
    new_value: newValueSchema.optional(),
    baseline: baselineSchema.optional(),
    geo_velocity: geoVelocitySchema.optional(),
    posture: postureSchema.optional(),
    health: healthSchema.optional()
  })
  .catchall(blockSchema)
  .superRefine((d, ctx) => {
    const kinds = KIND_BLOCKS.filter((k) => (d as Record<string, unknown>)[k] !== undefined)
    if (d.condition === undefined && !kinds.includes('health')) {
      ctx.addIssue({ code: 'custom', path: ['condition'], message: 'a condition is required' })
    }
    if (kinds.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `only one kind block allowed, found ${kinds.join(', ')}`
      })
    }
    const blocks = Object.keys(d).filter((k) => k !== 'condition' && !(k in KIND_SCHEMAS))
    for (const name of blocks) {
      if (!BLOCK_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `block names are selection, selection_*, filter or filter_* (got "${name}")`
        })
      }
    }
    const check = (expr: string | undefined, path: (string | number)[]) => {
      if (!expr) return
      for (const ref of expressionNames(expr)) {
        if (matchBlockNames(ref, blocks).length === 0) {
          ctx.addIssue({ code: 'custom', path, message: `"${ref}" matches no block in detection` })
        }
      }
    }
    check(d.condition, ['condition'])
    check(d.threshold?.ratioOf, ['threshold', 'ratioOf'])
    d.sequence?.steps.forEach((s, i) => check(s.match, ['sequence', 'steps', i, 'match']))
    check(d.new_value?.learn, ['new_value', 'learn'])
    check(d.new_value?.learning.basis, ['new_value', 'learning', 'basis'])
    check(d.baseline?.population, ['baseline', 'population'])
  })
/** The detection section of a rule. */
type Detection = z.infer<typeof detectionSchema>

const paramSchema = z
  .object({
    default: z.union([z.number(), z.boolean(), z.string(), z.null()]),
    description: z.string().min(1),
    unit: z.string().optional(),
    min: z.number().optional(),
    max: z.number().optional()
  })
  .strict()
/** A tunable threshold: its default, bounds and the text the settings screen shows. */
export type ParamSpec = z.infer<typeof paramSchema>

const EVENT_TYPE =
  /^(login|security|key|order|fill|balance|position|withdrawal|deposit|address|transfer|leverage)\.[a-z_]+$/

/** The schema every rule file must pass; errors name the field path. */
export const ruleSchema = z
  .object({
    id: z
      .string()
      .regex(
        /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/,
        'ids look like family.name, e.g. login.new_country'
      ),
    title: z.string().min(1).max(120),
    status: z.enum(['experimental', 'test', 'stable', 'deprecated']),
    description: z.string().min(1),
    references: z.array(z.string().min(1)).optional(),
    level: levelSchema,
    tags: z.array(z.string().regex(/^[a-z0-9_.-]+$/)).default([]),
    source: z
      .object({
        /** Event types the rule reads; the engine only hands it these. Empty for health rules. */
        types: z.array(z.string().regex(EVENT_TYPE, 'an event type looks like kind.what')),
        note: z.string().optional()
      })
      .strict(),
    detection: detectionSchema,
    /**
     * Findings of this rule with the same `by` values inside one `window` period are one finding
     * (e.g. one off-market-price alert per symbol per 10 minutes, not one per fill).
     */
    dedup: z
      .object({ by: z.array(fieldPath).max(3).default([]), window: windowSchema })
      .strict()
      .optional(),
    /** Event fields shown in the finding's reasoning. */
    fields: z.array(fieldPath).optional(),
    /** Plain-language explanation; `{name}` is replaced by a reasoning value, param or field. */
    explanation: z.string().min(1),
    falsepositives: z.array(z.string().min(1)).min(1),
    action: z.enum(['notify', 'suggest-kill-switch']),
    enabled: z.boolean(),
    params: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), paramSchema).default({})
  })
  .strict()
  .superRefine((rule, ctx) => {
    // Every $param used anywhere in detection must be declared.
    const walk = (value: unknown, path: (string | number)[]) => {
      if (typeof value === 'string' && PARAM_REF.test(value)) {
        const name = value.slice(1)
        if (!(name in rule.params)) {
          ctx.addIssue({
            code: 'custom',
            path,
            message: `param ${value} is not declared in params`
          })
        }
      } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]))
      else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) walk(v, [...path, k])
      }
    }
    walk(rule.detection, ['detection'])
    walk(rule.dedup, ['dedup'])
    const kind = ruleKind(rule.detection)
    if (kind !== 'health' && rule.source.types.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['source', 'types'],
        message: 'a rule must read at least one event type'
      })
    }
  })

/** A validated rule file. */
export type RuleDoc = z.infer<typeof ruleSchema>

/** The kind of a rule: the kind block present in its detection, or match. */
export function ruleKind(detection: Detection): RuleKind {
  for (const k of KIND_BLOCKS) if ((detection as Record<string, unknown>)[k] !== undefined) return k
  return 'match'
}

/** Names of the selection / filter blocks of a detection. */
export function blockNames(detection: Detection): string[] {
  return Object.keys(detection).filter(
    (k) => k !== 'condition' && !(KIND_BLOCKS as readonly string[]).includes(k)
  )
}

/** Per-rule settings from the user, applied over the shipped file. */
export const ruleOverrideSchema = z
  .object({
    enabled: z.boolean().optional(),
    level: levelSchema.optional(),
    params: z
      .record(z.string(), z.union([z.number(), z.boolean(), z.string(), z.null()]))
      .optional(),
    /** Per-account settings, over the rule-wide ones. */
    accounts: z
      .record(
        z.string(),
        z
          .object({
            enabled: z.boolean().optional(),
            params: z
              .record(z.string(), z.union([z.number(), z.boolean(), z.string(), z.null()]))
              .optional()
          })
          .strict()
      )
      .optional()
  })
  .strict()
/** User settings for all rules, keyed by rule id. */
export const ruleOverridesSchema = z.record(z.string(), ruleOverrideSchema)
/** User settings for all rules, keyed by rule id. */
export type RuleOverrides = z.infer<typeof ruleOverridesSchema>

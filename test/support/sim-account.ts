/**
 * An account on the simulator added through the API, as the add-key wizard does, then watched
 * until its first poll is done: the set-up most core tests start from.
 */
import { dispatch } from '../../main/api/dispatch'
import type { Vigil } from '../../main/core/vigil-types'
import type { VigilInternals } from '../../main/core/vigil'
import type { ExchangeId } from '../../main/replay/scenario'
import type { Simulator } from '../../main/simulator'

type TestVigil = Vigil & { internals: VigilInternals }

/** Adds the simulator account `label` (its guardian key) and returns the new account's id. */
export async function addSimulatedAccount(
  vigil: TestVigil,
  sim: Simulator,
  o: { exchange: ExchangeId; label: string; pollSeconds: number }
): Promise<string> {
  const credentials = sim.credentials(o.label)
  const added = await dispatch(vigil, 'accounts.add', {
    exchange: o.exchange,
    label: o.label,
    apiKey: credentials.apiKey,
    secret: credentials.secret,
    ...(credentials.password ? { password: credentials.password } : {}),
    endpoint: sim.endpointFor(o.exchange),
    pollSeconds: o.pollSeconds
  })
  if (!added.ok) throw new Error(added.error.message)
  return (added.value as { id: string }).id
}

/** The same, then starts Vigil and waits until the account's first poll is stored. */
export async function watchSimulatedAccount(
  vigil: TestVigil,
  sim: Simulator,
  o: { exchange: ExchangeId; label: string; pollSeconds: number }
): Promise<string> {
  const accountId = await addSimulatedAccount(vigil, sim, o)
  await vigil.start()
  await vigil.internals.watchers.get(accountId)!.firstPollDone
  return accountId
}

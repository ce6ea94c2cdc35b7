import { createContext, useContext, type ReactNode } from 'react'

import type { Client } from '../api/client'

const ApiContext = createContext<Client | null>(null)

/** Hands the one client down the tree, so tests can render any page against a fake bridge. */
export function ApiProvider({ client, children }: { client: Client; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>
}

export function useApi(): Client {
  const client = useContext(ApiContext)
  if (!client) throw new Error('useApi outside <ApiProvider>')
  return client
}

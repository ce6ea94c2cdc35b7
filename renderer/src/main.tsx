import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'

import { createClient } from './api/client'
import { App } from './App'
import { createI18n } from './i18n'
import './styles.css'

// The client first: over HTTP it lifts the token out of the address bar before anything else
// (the router included) reads the fragment.
const client = createClient()
const i18n = createI18n()

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <App client={client} i18n={i18n} />
  </StrictMode>
)

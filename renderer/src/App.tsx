import type { i18n as I18n } from 'i18next'
import { useEffect, useRef } from 'react'
import { I18nextProvider, useTranslation } from 'react-i18next'

import type { Client } from './api/client'
import { LiveProvider, useLive } from './hooks/live'
import { PreferencesProvider } from './hooks/preferences'
import { ApiProvider } from './hooks/use-api'
import { AccountsPage } from './pages/accounts'
import { AlertsPage } from './pages/alerts'
import { DashboardPage } from './pages/dashboard'
import { HistoryPage } from './pages/history'
import { RulesPage } from './pages/rules'
import { SettingsPage } from './pages/settings'
import { href, PAGES, useRoute, type Route } from './router'

export function App({ client, i18n }: { client: Client; i18n: I18n }) {
  return (
    <I18nextProvider i18n={i18n}>
      <ApiProvider client={client}>
        <PreferencesProvider>
          <LiveProvider>
            <Shell />
          </LiveProvider>
        </PreferencesProvider>
      </ApiProvider>
    </I18nextProvider>
  )
}

function Shell() {
  const { t } = useTranslation()
  const route = useRoute()
  const { status, statusError } = useLive()
  const main = useRef<HTMLElement>(null)
  const first = useRef(true)

  // Move focus to the new page so keyboard and screen-reader users land on it, not in the nav.
  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    main.current?.focus()
  }, [route.page, route.param])

  return (
    <div className="shell">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => (e.preventDefault(), main.current?.focus())}
      >
        {t('nav.skip')}
      </a>
      <nav className="sidebar" aria-label={t('nav.label')}>
        <div className="brand">
          <span className={`brand-dot tray-${status?.tray ?? 'unknown'}`} aria-hidden="true" />
          <span>Vigil</span>
        </div>
        <ul>
          {PAGES.map((page) => (
            <li key={page}>
              <a
                href={href(page)}
                aria-current={route.page === page ? 'page' : undefined}
                data-testid={`nav-${page}`}
              >
                {t(`nav.${page}`)}
                {page === 'alerts' && status?.openIncidents ? (
                  <span
                    className="count"
                    aria-label={t('nav.openCount', { n: status.openIncidents })}
                  >
                    {status.openIncidents}
                  </span>
                ) : null}
              </a>
            </li>
          ))}
        </ul>
        <div className="sidebar-foot small muted">
          {status ? (
            <>
              <div>{t(`tray.${status.tray}`)}</div>
              <div>
                v{status.version} · {t(`mode.${status.mode}`)}
              </div>
            </>
          ) : null}
        </div>
      </nav>
      <main id="main" ref={main} tabIndex={-1} className="content">
        {statusError?.code === 'unauthorized' ? (
          <div className="card notice" role="alert" data-testid="unauthorized">
            <h1>{t('auth.title')}</h1>
            <p>{t('auth.explain')}</p>
          </div>
        ) : (
          <PageFor route={route} />
        )}
      </main>
    </div>
  )
}

function PageFor({ route }: { route: Route }) {
  switch (route.page) {
    case 'alerts':
      return <AlertsPage incidentId={route.param} />
    case 'history':
      return <HistoryPage />
    case 'accounts':
      return <AccountsPage />
    case 'rules':
      return <RulesPage />
    case 'settings':
      return <SettingsPage />
    default:
      return <DashboardPage />
  }
}

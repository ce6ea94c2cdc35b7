import type { ReactNode } from 'react'

export function PageHeader({ title, actions }: { title: string; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  )
}

export function Card({
  title,
  children,
  className,
  actions,
  testId,
  dataId
}: {
  title?: ReactNode
  children: ReactNode
  className?: string
  actions?: ReactNode
  testId?: string
  /** Names what the card shows (an alert id), so tests find the same card after a reload. */
  dataId?: string
}) {
  return (
    <section className={`card ${className ?? ''}`} data-testid={testId} data-id={dataId}>
      {title || actions ? (
        <div className="card-head">
          {title ? <h2>{title}</h2> : <span />}
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  )
}

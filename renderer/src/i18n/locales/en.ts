/**
 * English strings, the reference shape: the Chinese files are typed against it, so a key missing
 * from either language fails the type check (and the completeness test).
 */
export const en = {
  common: {
    cancel: 'Cancel',
    save: 'Save',
    reset: 'Reset',
    refresh: 'Refresh',
    loading: 'Loading…',
    actions: 'Actions',
    supported: 'Supported',
    notSupported: 'Not available'
  },
  nav: {
    label: 'Main navigation',
    skip: 'Skip to content',
    dashboard: 'Overview',
    alerts: 'Alerts',
    history: 'History',
    accounts: 'Accounts',
    rules: 'Rules',
    settings: 'Settings',
    openCount: '{{n}} open incidents'
  },
  mode: {
    electron: 'Desktop',
    headless: 'Headless'
  },
  tray: {
    watching: 'Watching',
    learning: 'Learning your normal activity',
    alert: 'Alert: needs your attention',
    contained: 'Contained',
    paused: 'Paused',
    degraded: 'Degraded: some checks are failing'
  },
  auth: {
    title: 'Access link needed',
    explain:
      'This page needs the access link that Vigil printed when it started (it ends in #token=…). Open that link again in this browser tab.'
  },
  errors: {
    'bad-request': 'Invalid input.',
    'not-found': 'Not found.',
    conflict: 'Conflict.',
    unavailable: 'Temporarily unavailable.',
    internal: 'Something went wrong.',
    unauthorized: 'Not authorised.',
    network: 'Vigil is not reachable.'
  },
  level: {
    info: 'Info',
    low: 'Low',
    medium: 'Medium',
    high: 'High',
    critical: 'Critical'
  },
  accountStatus: {
    watching: 'Watching',
    learning: 'Learning',
    contained: 'Contained',
    paused: 'Paused',
    degraded: 'Degraded',
    error: 'Error'
  },
  incidentStatus: {
    open: 'Open',
    acknowledged: 'Acknowledged',
    resolved: 'Resolved',
    contained: 'Contained'
  },
  capability: {
    loginHistory: 'Login history',
    keyList: 'All API keys on the account',
    selfKeyInfo: 'This key’s permissions',
    revokeKey: 'Revoke key via API',
    cancelAll: 'Cancel all orders',
    orders: 'Orders',
    fills: 'Trades',
    withdrawals: 'Withdrawals',
    addressBook: 'Withdrawal address book',
    positions: 'Positions',
    deadMan: 'Dead-man switch'
  },
  kind: {
    login: 'Login',
    security: 'Security',
    key: 'API key',
    order: 'Order',
    fill: 'Trade',
    balance: 'Balance',
    position: 'Position',
    withdrawal: 'Withdrawal',
    deposit: 'Deposit',
    address: 'Address',
    transfer: 'Transfer',
    leverage: 'Leverage'
  },
  eventType: {
    login_success: 'Login',
    login_failure: 'Failed login',
    security_twofa_disabled: '2FA disabled',
    security_twofa_enabled: '2FA enabled',
    security_password_changed: 'Password changed',
    security_email_changed: 'Email changed',
    key_created: 'API key created',
    key_changed: 'API key changed',
    key_removed: 'API key removed',
    key_disabled: 'API key disabled',
    key_enabled: 'API key enabled',
    order_new: 'New order',
    order_updated: 'Order updated',
    fill_new: 'Trade',
    withdrawal_new: 'Withdrawal',
    withdrawal_updated: 'Withdrawal updated',
    address_added: 'Withdrawal address added',
    address_removed: 'Withdrawal address removed',
    transfer_new: 'Transfer',
    leverage_changed: 'Leverage changed',
    balance_changed: 'Balance changed',
    position_changed: 'Position changed',
    deposit_new: 'Deposit'
  },
  fact: {
    ip: 'IP',
    place: 'Location',
    network: 'Network',
    device: 'Device',
    symbol: 'Symbol',
    side: 'Side',
    amount: 'Amount',
    address: 'Address',
    keyId: 'Key',
    permissions: 'Permissions',
    recordId: 'Exchange record'
  },
  reasoning: {
    threshold: 'Threshold',
    observed: 'Observed',
    baseline: 'Your baseline',
    window: 'Window',
    windowSeconds: 'Window (s)',
    count: 'Count',
    distinct: 'Distinct values',
    zScore: 'Z-score',
    samples: 'Samples',
    distanceKm: 'Distance (km)',
    speedKmh: 'Speed (km/h)',
    field: 'Field',
    value: 'Value',
    firstSeen: 'First seen'
  },
  response: {
    history: 'History only',
    notify: 'Notify',
    ask: 'Ask, then act',
    act: 'Act at once',
    historyExplain: 'record it in the history, no notification.',
    notifyExplain: 'notify you; nothing happens automatically.',
    askExplain:
      'notify you and start a countdown; when it runs out, the default action below happens.',
    actExplain: 'fire the kill switch for that account immediately, then tell you what was done.'
  },
  killSwitch: {
    title: 'Kill switch',
    explain:
      'Stops everything at once if a key has leaked: cancels every open order on every account and revokes or disables the API keys where the exchange allows.',
    fireAll: 'Kill switch: all accounts',
    fireIncident: 'Kill switch for this account',
    running: 'Running kill switch…',
    noAccounts: 'No accounts to act on.',
    confirmTitle: 'Fire the kill switch on every account?',
    confirmTitleIncident: 'Fire the kill switch for this incident?',
    willHappen: 'This acts now on {{n}} account(s):',
    stepCancel:
      'Cancel every open order, including trigger and algo orders, and read back what remains.',
    stepRevoke: 'Revoke or disable the API keys where the exchange’s API allows it.',
    stepManual:
      'Where it does not, stop using the key here and show you the exact steps to revoke it on the exchange.',
    stepContained: 'Mark the account as contained and record everything in the audit log.',
    notUndoable: 'Cancelled orders are not restored. You can add new keys afterwards.',
    confirm: 'Yes, fire the kill switch',
    progress: 'Accounts done: {{done}} of {{total}}',
    resultTitle: 'Kill switch result',
    duration: 'took {{seconds}} s',
    contained: 'Contained',
    notContained: 'Not fully contained',
    ordersCancelled: 'Orders cancelled',
    ordersRemaining: 'Orders remaining',
    key: 'API key',
    keyOutcome: {
      revoked: 'Revoked',
      disabled: 'Disabled',
      'manual-revoke-required': 'Revoke it by hand',
      unchanged: 'Unchanged'
    },
    keysDisabled: 'Keys disabled',
    keysRemoved: 'Keys removed',
    manualSteps: 'Still to do by hand',
    openExchangePage: 'Open the exchange’s API management page',
    steps: 'Every step',
    attempts: '({{n}} attempts)',
    lastRun: 'Last run: {{when}}',
    lastRunTitle: 'Last kill switch run'
  },
  countdown: {
    fires: 'Kill switch fires automatically in',
    notifies: 'Default action (notify only) in',
    view: 'View incident',
    cancel: 'Cancel countdown'
  },
  dashboard: {
    title: 'Overview',
    demo: 'Demo on the simulator',
    openIncidents: 'Open incidents ({{n}})',
    allAlerts: 'All alerts',
    noIncidents: 'No open incidents.',
    accounts: 'Accounts',
    noAccounts: 'No exchange accounts yet. Add an API key to start watching.',
    addAccount: 'Add an account',
    pause30: 'Pause 30 min',
    resume: 'Resume watching',
    pausedUntil: 'Paused until {{when}}'
  },
  accounts: {
    title: 'Accounts',
    connected: 'Connected accounts',
    none: 'No accounts yet.',
    exchange: 'Exchange',
    label: 'Label',
    key: 'API key',
    status: 'Status',
    added: 'Added',
    remove: 'Remove',
    removeTitle: 'Remove {{name}}?',
    removeExplain:
      'Vigil stops watching this account and deletes its API secret from the OS keychain. The key itself stays valid on the exchange: revoke it there if you no longer use it.',
    addTitle: 'Add an API key',
    searchExchange: 'Search exchanges',
    deep: 'deep support',
    deepExplain:
      'Deep support: Vigil reads this exchange’s security data (login log or key list) where its API offers it.',
    genericExplain:
      'Generic support through the unified API: orders, trades, balances and withdrawals. The overview shows what this exchange cannot tell us.',
    labelPlaceholder: 'e.g. Main bot',
    apiKey: 'API key',
    secret: 'API secret',
    passphrase: 'API passphrase',
    keychainNote:
      'The secret goes straight to your operating system’s keychain (Keychain, Credential Manager or Secret Service). It is never written to disk in plain text and never shown again, not even here.',
    readOnlyHint:
      'A read-only key is enough for watching. To let the kill switch revoke keys, the key needs the exchange’s key-management permission.',
    add: 'Add account',
    adding: 'Adding…',
    addedNote: 'Added {{name}} (key …{{hint}}). The secret is now in the keychain.',
    keyHint: 'key …{{hint}}',
    lastPoll: 'last checked {{when}}',
    neverPolled: 'not checked yet',
    openIncidents: '{{n}} open incident(s)',
    posture: 'Key posture',
    postureClean: 'No key posture problems found.',
    fix: 'Fix',
    capabilities: 'What Vigil can see and do here',
    keys: 'API keys ({{n}})',
    keyId: 'Key',
    permissions: 'Permissions',
    ipWhitelist: 'IP whitelist',
    keyState: 'State',
    thisKey: 'Vigil’s key',
    anyIp: 'any IP',
    keyEnabled: 'Enabled',
    keyDisabled: 'Disabled',
    keyRemoved: 'Removed'
  },
  alerts: {
    title: 'Alerts',
    scope: 'Which incidents',
    scope_live: 'Live',
    scope_history: 'From history',
    openOnly: 'Open only',
    none: 'No incidents.',
    pick: 'Choose an incident to see its evidence.',
    alertCount: '{{n}} alert(s)',
    opened: 'opened',
    updated: 'updated',
    acknowledge: 'Acknowledge',
    acknowledged: 'Acknowledged',
    killSwitchExplain:
      'If this was not you, fire the kill switch for this account: it cancels its orders and revokes or disables its keys.',
    killSwitchRun: 'Kill switch for this incident',
    evidence: 'Evidence ({{n}} events)'
  },
  history: {
    title: 'History',
    account: 'Account',
    allAccounts: 'All accounts',
    from: 'From',
    to: 'To',
    text: 'Search',
    textPlaceholder: 'IP, address, symbol, record id…',
    kinds: 'Event kinds',
    apply: 'Apply',
    chartTitle: 'Activity',
    perHour: 'Events per hour by kind, for the loaded range',
    perDay: 'Events per day by kind, for the loaded range',
    noEvents: 'No events match.',
    colTime: 'Time',
    colAccount: 'Account',
    colType: 'Event',
    colDetails: 'Details',
    colRecord: 'Exchange record',
    loaded: '{{n}} events loaded',
    loadMore: 'Load more',
    end: 'End of history.'
  },
  rules: {
    title: 'Rules',
    filter: 'Filter rules',
    summary: '{{enabled}} of {{total}} rules enabled.',
    readOnly: 'Editing thresholds and exceptions comes later; this view is read-only.',
    enabled: 'Enabled',
    disabled: 'Disabled',
    kind: 'Kind',
    status: 'Status',
    details: 'Parameters and false positives',
    falsepositives: 'Known false positives'
  },
  settings: {
    title: 'Settings',
    appearance: 'Language and appearance',
    language: 'Language',
    theme: 'Theme',
    followSystem: 'Follow the system',
    light: 'Light',
    dark: 'Dark',
    policy: 'Response policy',
    policyExplain: 'What Vigil does on its own for each alert level.',
    level: 'Level',
    countdown: 'Countdown before acting (seconds)',
    defaultAction: 'When a countdown runs out',
    actionFire: 'Fire the kill switch',
    actionNotify: 'Only notify',
    retention: 'Keep history (days)',
    saved: 'Settings saved.'
  }
}

type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> }

/** What every other language must provide: the same keys, any strings. */
export type Translations = Shape<typeof en>

/**
 * Method names only, no dependencies: the sandboxed preload imports this one value module and
 * everything else as types, so zod stays in the main process where validation runs.
 */
export const METHODS = {
  status: 'status',
  exchangesList: 'exchanges.list',
  accountsList: 'accounts.list',
  accountsAdd: 'accounts.add',
  accountsRemove: 'accounts.remove',
  accountsTest: 'accounts.test',
  accountsRearm: 'accounts.rearm',
  accountsUpdate: 'accounts.update',
  incidentsList: 'incidents.list',
  incidentsGet: 'incidents.get',
  incidentsAcknowledge: 'incidents.acknowledge',
  incidentsReport: 'incidents.report',
  historyQuery: 'history.query',
  killSwitchFire: 'killSwitch.fire',
  countdownCancel: 'countdown.cancel',
  rulesList: 'rules.list',
  settingsGet: 'settings.get',
  settingsUpdate: 'settings.update',
  channelsList: 'channels.list',
  channelsAdd: 'channels.add',
  channelsRemove: 'channels.remove',
  channelsTest: 'channels.test',
  rulesUpdate: 'rules.update',
  exceptionsList: 'exceptions.list',
  exceptionsAdd: 'exceptions.add',
  exceptionsRemove: 'exceptions.remove',
  silencesList: 'silences.list',
  silencesAdd: 'silences.add',
  silencesRemove: 'silences.remove',
  demoInfo: 'demo.info',
  demoAttack: 'demo.attack',
  pause: 'pause'
} as const

export type MethodId = (typeof METHODS)[keyof typeof METHODS]

export const EVENT_NAMES = ['alert', 'kill-switch', 'status', 'account'] as const

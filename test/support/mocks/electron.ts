/**
 * A hand-written stand-in for the `electron` module, for tests of `main/electron/**` and
 * `preload/**` only:
 *
 *   vi.mock('electron', () => import('../../support/mocks/electron'))
 *
 * Each class behaves like the real one as far as the shell relies on it (events fire, windows
 * hide and close, menus keep their click handlers, IPC handlers are registered by channel and
 * can be invoked) and records what it was asked to do, so tests assert on outcomes rather than
 * on call counts. `resetElectronMock()` restores a fresh state between tests; import the mock's
 * own exports (`app`, `ipcMain`, …) from this file to drive and inspect them.
 *
 * Only what the shell uses is here; add more the same way when the shell grows.
 */
import { EventEmitter } from 'node:events'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// ---- events -------------------------------------------------------------------------------

/** An Electron-style event object: `preventDefault()` and `defaultPrevented`. */
export class MockEvent {
  defaultPrevented = false
  constructor(fields: Record<string, unknown> = {}) {
    Object.assign(this, fields)
  }
  preventDefault(): void {
    this.defaultPrevented = true
  }
}

/** Creates an event carrying extra fields (`url`, `sender`, …). */
export function mockEvent<T extends object>(fields: T): MockEvent & T {
  return new MockEvent(fields as Record<string, unknown>) as MockEvent & T
}

// ---- frames, web contents, sessions ---------------------------------------------------------

let nextRoutingId = 1

/** WebFrameMain: url, parent, process and routing ids. */
export class MockWebFrameMain {
  readonly routingId = nextRoutingId++
  readonly frames: MockWebFrameMain[] = []
  constructor(
    public url: string,
    readonly parent: MockWebFrameMain | null = null,
    readonly processId = 1
  ) {
    parent?.frames.push(this)
  }
  /** Adds a child frame (an iframe) showing `url`. */
  addChild(url: string): MockWebFrameMain {
    return new MockWebFrameMain(url, this, this.processId)
  }
}

type PermissionRequestHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: unknown
) => void
type PermissionCheckHandler = (contents: unknown, permission: string, origin: string) => boolean
type HeadersListener = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (response: { cancel?: boolean; responseHeaders?: Record<string, string[]> }) => void
) => void

export class MockSession {
  permissionRequestHandler: PermissionRequestHandler | null = null
  permissionCheckHandler: PermissionCheckHandler | null = null
  readonly webRequest = {
    headersReceived: null as HeadersListener | null,
    onHeadersReceived: (listener: HeadersListener | null): void => {
      this.webRequest.headersReceived = listener
    }
  }
  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    this.permissionRequestHandler = handler
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    this.permissionCheckHandler = handler
  }
  /** Runs a permission request through the installed handler; null when none is installed. */
  requestPermission(permission: string): Promise<boolean | null> {
    const handler = this.permissionRequestHandler
    if (!handler) return Promise.resolve(null)
    return new Promise((resolve) => handler(null, permission, resolve, {}))
  }
  /** Simulates a response arriving, returning the headers the page would see. */
  receiveHeaders(
    url: string,
    responseHeaders: Record<string, string[]> = {}
  ): Promise<Record<string, string[]>> {
    const listener = this.webRequest.headersReceived
    if (!listener) return Promise.resolve(responseHeaders)
    return new Promise((resolve) =>
      listener({ url, responseHeaders }, (response) =>
        resolve(response.responseHeaders ?? responseHeaders)
      )
    )
  }
}

let nextContentsId = 1

type WindowOpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' }

export class MockWebContents extends EventEmitter {
  readonly id = nextContentsId++
  readonly mainFrame = new MockWebFrameMain('about:blank')
  readonly sent: Array<{ channel: string; args: unknown[] }> = []
  readonly loadedUrls: string[] = []
  windowOpenHandler: WindowOpenHandler | null = null
  private destroyed = false

  constructor(readonly session: MockSession = defaultSession) {
    super()
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url)
    this.mainFrame.url = url
  }
  getURL(): string {
    return this.mainFrame.url
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args })
  }
  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler
  }
  /** What happens when the page calls `window.open(url)`. */
  openWindow(url: string): 'allow' | 'deny' {
    return this.windowOpenHandler ? this.windowOpenHandler({ url }).action : 'allow'
  }
  /**
   * Simulates a navigation the page starts, returning whether it went ahead. Listeners see the
   * event with its url, as Electron's 'will-navigate' passes it.
   */
  navigate(url: string, kind: 'will-navigate' | 'will-redirect' = 'will-navigate'): boolean {
    const event = mockEvent({ url, isMainFrame: true })
    this.emit(kind, event, url)
    if (event.defaultPrevented) return false
    this.mainFrame.url = url
    return true
  }
  /** Simulates a `<webview>` being attached; returns whether it was allowed. */
  attachWebview(src: string): boolean {
    const event = new MockEvent()
    this.emit('will-attach-webview', event, {}, { src })
    return !event.defaultPrevented
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  destroy(): void {
    this.destroyed = true
  }
}

// ---- BrowserWindow ----------------------------------------------------------------------------

export class BrowserWindow extends EventEmitter {
  static readonly instances: BrowserWindow[] = []
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.instances.filter((w) => !w.isDestroyed())
  }
  static fromWebContents(contents: MockWebContents): BrowserWindow | null {
    return BrowserWindow.instances.find((w) => w.webContents === contents) ?? null
  }

  readonly webContents = new MockWebContents()
  private visible = false
  private minimized = false
  private focused = false
  private destroyed = false

  constructor(readonly options: Record<string, unknown> = {}) {
    super()
    BrowserWindow.instances.push(this)
    app.emit('web-contents-created', new MockEvent(), this.webContents)
  }

  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url)
  }
  /** Fires 'ready-to-show', as Electron does once the first paint is ready. */
  becomeReady(): void {
    this.emit('ready-to-show', new MockEvent())
  }
  show(): void {
    this.visible = true
    this.minimized = false
  }
  hide(): void {
    this.visible = false
  }
  focus(): void {
    this.focused = true
  }
  isFocused(): boolean {
    return this.focused
  }
  isVisible(): boolean {
    return this.visible
  }
  minimize(): void {
    this.minimized = true
  }
  isMinimized(): boolean {
    return this.minimized
  }
  restore(): void {
    this.minimized = false
  }
  /** Like the real one: emits a cancellable 'close'; destroys the window unless prevented. */
  close(): void {
    if (this.destroyed) return
    const event = new MockEvent()
    this.emit('close', event)
    if (!event.defaultPrevented) this.destroy()
  }
  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.visible = false
    this.webContents.destroy()
    this.emit('closed')
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
}

// ---- app ----------------------------------------------------------------------------------------

interface LoginItemSettings {
  openAtLogin: boolean
  wasOpenedAtLogin: boolean
  args?: string[]
}

export class MockApp extends EventEmitter {
  isPackaged = false
  name = 'Vigil'
  /** What `requestSingleInstanceLock()` answers: false when "another instance" holds it. */
  singleInstanceLockAvailable = true
  hasSingleInstanceLock = false
  quitRequested = false
  exitCode: number | null = null
  appUserModelId: string | null = null
  loginItemSettings: LoginItemSettings = { openAtLogin: false, wasOpenedAtLogin: false }
  readonly paths = new Map<string, string>([['userData', join(tmpdir(), 'vigil-electron-mock')]])
  private ready = false
  private readyPromise: Promise<void>
  private resolveReady: () => void = () => {}

  constructor() {
    super()
    this.readyPromise = new Promise((resolve) => (this.resolveReady = resolve))
  }

  /** Makes `whenReady()` resolve and emits 'ready', as Electron does after start-up. */
  becomeReady(): void {
    if (this.ready) return
    this.ready = true
    this.resolveReady()
    this.emit('ready')
  }
  whenReady(): Promise<void> {
    return this.readyPromise
  }
  isReady(): boolean {
    return this.ready
  }
  requestSingleInstanceLock(): boolean {
    this.hasSingleInstanceLock = this.singleInstanceLockAvailable
    return this.hasSingleInstanceLock
  }
  /** Simulates the user starting Vigil again while this instance runs. */
  launchSecondInstance(argv: string[] = []): void {
    if (this.hasSingleInstanceLock) this.emit('second-instance', new MockEvent(), argv, '/', {})
  }
  /** Like Electron: 'before-quit' then 'will-quit', each cancellable. */
  quit(): void {
    const before = new MockEvent()
    this.emit('before-quit', before)
    if (before.defaultPrevented) return
    for (const window of BrowserWindow.getAllWindows()) window.close()
    const will = new MockEvent()
    this.emit('will-quit', will)
    if (will.defaultPrevented) return
    this.quitRequested = true
  }
  exit(code = 0): void {
    this.exitCode = code
  }
  getPath(name: string): string {
    const path = this.paths.get(name)
    if (!path) throw new Error(`mock app.getPath: no path for ${name}`)
    return path
  }
  setPath(name: string, path: string): void {
    this.paths.set(name, path)
  }
  getAppPath(): string {
    return process.cwd()
  }
  getVersion(): string {
    return '0.0.0-test'
  }
  setAppUserModelId(id: string): void {
    this.appUserModelId = id
  }
  getLoginItemSettings(): LoginItemSettings {
    return { ...this.loginItemSettings }
  }
  setLoginItemSettings(settings: Partial<LoginItemSettings>): void {
    this.loginItemSettings = { ...this.loginItemSettings, ...settings }
  }
}

// ---- IPC ----------------------------------------------------------------------------------------

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown

export class MockIpcMain extends EventEmitter {
  readonly handlers = new Map<string, InvokeHandler>()
  handle(channel: string, handler: InvokeHandler): void {
    // Electron refuses a second handler for the same channel; so do we.
    if (this.handlers.has(channel)) {
      throw new Error(`Attempted to register a second handler for '${channel}'`)
    }
    this.handlers.set(channel, handler)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  /**
   * What a renderer's `ipcRenderer.invoke` produces: the handler's value, or a rejection with
   * Electron's "Error invoking remote method" wrapping when the handler throws.
   */
  async invoke(
    channel: string,
    event: { sender: unknown; senderFrame: unknown },
    ...args: unknown[]
  ): Promise<unknown> {
    const handler = this.handlers.get(channel)
    if (!handler) throw new Error(`No handler registered for '${channel}'`)
    try {
      return await handler(mockEvent(event), ...args)
    } catch (error) {
      throw new Error(`Error invoking remote method '${channel}': ${String(error)}`, {
        cause: error
      })
    }
  }
}

/**
 * The renderer side. `invoke` goes to `ipcMain` as if sent from `rendererSide.frame` of
 * `rendererSide.contents` (set these to play a given window / frame); what main `send`s to that
 * web contents reaches `ipcRenderer.on` listeners through `deliverToRenderer()`.
 */
export class MockIpcRenderer extends EventEmitter {
  readonly invoked: Array<{ channel: string; args: unknown[] }> = []
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args })
    const sender = rendererSide.contents
    const senderFrame = rendererSide.frame ?? sender?.mainFrame ?? null
    // Structured clone, as IPC serialises both ways: functions and class identity do not cross.
    return ipcMain
      .invoke(channel, { sender, senderFrame }, ...structuredClone(args))
      .then((value) => structuredClone(value))
  }
  /** Delivers everything main sent to the renderer's web contents since the last call. */
  deliverToRenderer(): void {
    const contents = rendererSide.contents
    if (!contents) return
    for (const { channel, args } of contents.sent.splice(0)) {
      this.emit(channel, new MockEvent({ sender: this }), ...structuredClone(args))
    }
  }
}

export class MockContextBridge {
  readonly exposed = new Map<string, unknown>()
  exposeInMainWorld(key: string, api: unknown): void {
    if (this.exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property`)
    this.exposed.set(key, api)
  }
}

// ---- tray, menu, images, dialogs, shell, notifications -----------------------------------------

export interface MockNativeImage {
  readonly path: string
  isEmpty(): boolean
}

export const nativeImage = {
  /** Like Electron: a missing file gives an empty image rather than an error. */
  createFromPath(path: string): MockNativeImage {
    const exists = existsSync(path)
    return { path, isEmpty: () => !exists }
  },
  createEmpty(): MockNativeImage {
    return { path: '', isEmpty: () => true }
  }
}

type MenuItemOptions = {
  id?: string
  label?: string
  type?: string
  enabled?: boolean
  visible?: boolean
  checked?: boolean
  click?: (item: MockMenuItem, window: unknown, event: unknown) => void
  submenu?: MenuItemOptions[]
}

export class MockMenuItem {
  readonly id?: string
  readonly label: string
  readonly type: string
  readonly enabled: boolean
  readonly visible: boolean
  checked: boolean
  readonly submenu: Menu | null
  private readonly onClick?: MenuItemOptions['click']

  constructor(options: MenuItemOptions) {
    this.id = options.id
    this.label = options.label ?? ''
    this.type = options.type ?? (options.submenu ? 'submenu' : 'normal')
    this.enabled = options.enabled ?? true
    this.visible = options.visible ?? true
    this.checked = options.checked ?? false
    this.submenu = options.submenu ? Menu.buildFromTemplate(options.submenu) : null
    this.onClick = options.click
  }
  /** Clicks the item as the user would: disabled items do nothing; checkboxes toggle first. */
  click(): void {
    if (!this.enabled || !this.visible) return
    if (this.type === 'checkbox') this.checked = !this.checked
    this.onClick?.(this, undefined, {})
  }
}

export class Menu {
  static applicationMenu: Menu | null = null
  static buildFromTemplate(template: MenuItemOptions[]): Menu {
    return new Menu(template.map((options) => new MockMenuItem(options)))
  }
  static setApplicationMenu(menu: Menu | null): void {
    Menu.applicationMenu = menu
  }
  constructor(readonly items: MockMenuItem[] = []) {}
  getMenuItemById(id: string): MockMenuItem | null {
    for (const item of this.items) {
      if (item.id === id) return item
      const nested = item.submenu?.getMenuItemById(id)
      if (nested) return nested
    }
    return null
  }
}

export class Tray extends EventEmitter {
  static readonly instances: Tray[] = []
  image: MockNativeImage
  readonly images: MockNativeImage[] = []
  toolTip = ''
  contextMenu: Menu | null = null
  private destroyed = false

  constructor(image: MockNativeImage) {
    super()
    this.image = image
    this.images.push(image)
    Tray.instances.push(this)
  }
  setImage(image: MockNativeImage): void {
    this.image = image
    this.images.push(image)
  }
  setToolTip(toolTip: string): void {
    this.toolTip = toolTip
  }
  setContextMenu(menu: Menu | null): void {
    this.contextMenu = menu
  }
  destroy(): void {
    this.destroyed = true
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
}

interface MessageBoxOptions {
  message: string
  buttons?: string[]
  [key: string]: unknown
}

export class MockDialog {
  readonly messageBoxes: MessageBoxOptions[] = []
  readonly errorBoxes: Array<{ title: string; content: string }> = []
  /** Button indexes the "user" presses, in order; when empty, the cancel button (0). */
  readonly responses: number[] = []
  async showMessageBox(
    ...args: [MessageBoxOptions] | [unknown, MessageBoxOptions]
  ): Promise<{ response: number; checkboxChecked: boolean }> {
    const options = (args.length === 2 ? args[1] : args[0]) as MessageBoxOptions
    this.messageBoxes.push(options)
    return { response: this.responses.shift() ?? 0, checkboxChecked: false }
  }
  showErrorBox(title: string, content: string): void {
    this.errorBoxes.push({ title, content })
  }
}

export class MockShell {
  readonly openedExternal: string[] = []
  async openExternal(url: string): Promise<void> {
    this.openedExternal.push(url)
  }
}

interface NotificationOptions {
  id?: string
  title?: string
  body?: string
  urgency?: string
  timeoutType?: string
  actions?: Array<{ type: string; text?: string }>
  [key: string]: unknown
}

export class Notification extends EventEmitter {
  static readonly instances: Notification[] = []
  static supported = true
  static isSupported(): boolean {
    return Notification.supported
  }
  /** Notifications currently on screen (shown and not closed). */
  static visible(): Notification[] {
    return Notification.instances.filter((n) => n.shown && !n.closed)
  }

  shown = false
  closed = false
  readonly id: string
  readonly title: string
  readonly body: string
  readonly actions: Array<{ type: string; text?: string }>

  constructor(readonly options: NotificationOptions = {}) {
    super()
    this.id = options.id || `notification-${Notification.instances.length + 1}`
    this.title = options.title ?? ''
    this.body = options.body ?? ''
    this.actions = options.actions ?? []
    Notification.instances.push(this)
  }
  show(): void {
    this.shown = true
    this.closed = false
    this.emit('show', new MockEvent())
  }
  /**
   * Like macOS and Windows, which address delivered notifications by identifier / tag: closing
   * also takes down any other visible notification shown with the same explicit id, even when
   * this object was closed already.
   */
  close(): void {
    const sameId = this.options.id
      ? Notification.visible().filter((n) => n.id === this.id)
      : Notification.visible().filter((n) => n === this)
    for (const n of sameId) {
      n.closed = true
      n.emit('close', mockEvent({ reason: 'applicationHidden' }))
    }
    this.closed = true
  }
  /** The user clicks the body. */
  click(): void {
    this.emit('click', new MockEvent())
  }
  /** The user presses the button at `index`. */
  pressAction(index: number): void {
    this.emit('action', mockEvent({ actionIndex: index, selectionIndex: -1 }), index, -1)
  }
  /** The user dismisses it. */
  dismiss(): void {
    this.closed = true
    this.emit('close', mockEvent({ reason: 'userCanceled' }))
  }
}

// ---- module state -----------------------------------------------------------------------------

// `let` exports are live bindings: modules under test that imported `app` or `ipcMain` see the
// fresh instances after `resetElectronMock()`.
export let app = new MockApp()
export let ipcMain = new MockIpcMain()
export let ipcRenderer = new MockIpcRenderer()
export let contextBridge = new MockContextBridge()
export let dialog = new MockDialog()
export let shell = new MockShell()
let defaultSession = new MockSession()
export const session = {
  get defaultSession(): MockSession {
    return defaultSession
  }
}

/** Which renderer `ipcRenderer` speaks for (see MockIpcRenderer). */
export const rendererSide = {
  contents: null as MockWebContents | null,
  /** Defaults to the contents' main frame. */
  frame: null as MockWebFrameMain | null
}

/** Restores a fresh state: new singletons, empty instance lists. Call in `beforeEach`. */
export function resetElectronMock(): void {
  app = new MockApp()
  ipcMain = new MockIpcMain()
  ipcRenderer = new MockIpcRenderer()
  contextBridge = new MockContextBridge()
  dialog = new MockDialog()
  shell = new MockShell()
  defaultSession = new MockSession()
  rendererSide.contents = null
  rendererSide.frame = null
  BrowserWindow.instances.length = 0
  Tray.instances.length = 0
  Notification.instances.length = 0
  Notification.supported = true
  Menu.applicationMenu = null
}

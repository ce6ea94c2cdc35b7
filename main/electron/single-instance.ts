/**
 * One Vigil per user profile. Two guardians would poll the same accounts twice (doubling the
 * rate-limit budget spent), write to the same database, and could fire the kill switch twice.
 */
import { app } from 'electron'

/**
 * Takes the single-instance lock. Returns false when another Vigil already holds it: the caller
 * quits, and the running instance gets `onSecondInstance` (it shows its window) instead.
 */
export function claimSingleInstance(onSecondInstance: () => void): boolean {
  if (!app.requestSingleInstanceLock()) return false
  app.on('second-instance', () => onSecondInstance())
  return true
}

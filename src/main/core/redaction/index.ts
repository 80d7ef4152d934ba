// What makes text from servers and providers safe to write out: secrets masked (by value and by
// shape), control characters escaped. Issue 12's secrets and tokens register with a Redactor:
// the process's (`logger.redactor`, `core.redactor`) or a run's (`redactor.child()`).
export { escapeControls } from './controls'
export { MIN_SECRET_LENGTH, Redactor } from './redactor'
export { isCredentialHeader, isSecretName, type NameForm } from './secret-names'
export { REDACTED, redactPatterns } from './text-patterns'

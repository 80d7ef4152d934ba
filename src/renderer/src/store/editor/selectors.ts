import {
  nameTakenMessage,
  normalizeProviderName,
  providerNameProblem,
} from '../../../../shared/provider-rules'
import { nameTakenInList } from '../providers/selectors'
import type { SkwirlStore } from '../store'

const isDirty = (s: SkwirlStore): boolean => {
  const e = s.editor
  return e !== null && e.status === 'ready' && (e.name !== e.saved.name || e.code !== e.saved.code)
}

/** The check for exactly the code on screen, or null while that one is on its way. */
const currentCheck = (s: SkwirlStore) =>
  s.editor?.check && s.editor.check.code === s.editor.code ? s.editor.check.result : null

/** What is wrong with the name, whether or not it is time to say so. */
function nameProblemNow(s: SkwirlStore): string | null {
  const e = s.editor
  if (!e) return null
  if (e.nameError) return e.nameError
  const name = normalizeProviderName(e.name)
  return (
    providerNameProblem(name) ??
    (nameTakenInList(s, name, e.providerId) ? nameTakenMessage(name) : null)
  )
}

export const editorSelectors = {
  editor: (s: SkwirlStore) => s.editor,
  leaveRequest: (s: SkwirlStore) => s.leaveRequest,
  isOpen: (s: SkwirlStore) => s.editor !== null,
  isDirty,
  currentCheck,
  syntaxError: (s: SkwirlStore) => currentCheck(s)?.syntaxError ?? null,
  /** Shown next to the name field once the name was edited or a save was tried. */
  nameProblem: (s: SkwirlStore) => (s.editor?.nameTouched ? nameProblemNow(s) : null),
  nameProblemNow,
  /**
   * Save is offered when there is something to save, no known syntax error and nothing wrong with
   * the name (a clash included: the field says why).
   */
  canSave: (s: SkwirlStore) => {
    const e = s.editor
    if (!e || e.status !== 'ready' || e.saving) return false
    if (currentCheck(s)?.syntaxError || nameProblemNow(s) !== null) return false
    return isDirty(s) || e.providerId === null
  },
  /** Whether the editor holds unsaved changes to this provider (its card says so). */
  hasUnsavedEdits: (id: string) => (s: SkwirlStore) => s.editor?.providerId === id && isDirty(s),
  isOpenFor: (id: string) => (s: SkwirlStore) => s.editor?.providerId === id,
}

import type { CodeCheck } from '../../../../shared/api'

/** The provider open in the editor: what is saved, what is typed, and how the check went. */
export interface EditorDocument {
  /** Changes whenever the text is replaced from outside (opened, reloaded): the view rebuilds. */
  session: number
  /** null: a new provider, not saved yet. */
  providerId: string | null
  status: 'loading' | 'ready' | 'error'
  loadError: string | null
  /** What main holds (for a new provider: what it started from). */
  saved: { name: string; code: string; updatedAt: string | null }
  name: string
  code: string
  /** Whether to say what is wrong with the name: once it was edited or a save was tried. */
  nameTouched: boolean
  /** A problem with the name that main answered (a clash it knew of before this window did). */
  nameError: string | null
  /** The latest check main answered, and the code it was for. */
  check: { code: string; result: CodeCheck } | null
  saving: boolean
  saveError: string | null
  /** The saved provider changed or went away elsewhere after it was opened. */
  conflict: 'outdated' | 'deleted' | null
  /** Where to put the cursor (a line of the code, when asked): the view does it when seq changes. */
  focusRequest: { target: 'name' | 'code'; seq: number; line?: number }
}

/** Where the person wants to go from the editor, once unsaved changes are dealt with. */
export type LeaveTarget =
  | { kind: 'close' }
  | { kind: 'open'; id: string; focus: 'name' | 'code'; line?: number }
  | { kind: 'new'; name: string; code: string; fromFile: boolean }

export interface EditorState {
  editor: EditorDocument | null
  /** Leaving with unsaved changes: the question on screen, and where to go after. */
  leaveRequest: LeaveTarget | null
}

export const initialEditorState: EditorState = {
  editor: null,
  leaveRequest: null,
}

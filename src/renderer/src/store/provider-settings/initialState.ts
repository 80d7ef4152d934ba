import type { ProviderSettingsView, ShippedUpdate } from '../../../../shared/api'

/** A provider's settings as the form shows them. */
export interface SettingsPanel {
  providerId: string
  status: 'loading' | 'ready' | 'error'
  view: ProviderSettingsView | null
  error: string | null
  saving: boolean
  /** What the last save said went wrong (the form stays as typed). */
  saveError: string | null
  /** A sign-in request on its way to main (before the browser opens). */
  startingSignIn: boolean
  /** Why the last sign-in did not complete, in words; null after a success. */
  signInError: string | null
}

export interface ProviderSettingsState {
  /** The provider whose editor shows its settings instead of its code (null: the code). */
  settingsPaneFor: string | null
  providerSettings: SettingsPanel | null
  /** A shipped provider's newer code beside the person's, while the difference is open. */
  shippedUpdate: ShippedUpdate | null
}

export const initialProviderSettingsState: ProviderSettingsState = {
  settingsPaneFor: null,
  providerSettings: null,
  shippedUpdate: null,
}

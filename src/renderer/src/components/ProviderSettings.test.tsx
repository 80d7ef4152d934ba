import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ProviderSettingsView } from '../../../shared/api'
import { createFakeApi, GOOGLE_DRIVE, settingsView, summary } from '../testing/fake-api'
import { renderApp } from '../testing/render-app'

/** The tab the page opens for the sign-in: never a real one in a test. */
let tab: { closed: boolean; location: { href: string }; opener: unknown; close(): void }

beforeEach(() => {
  tab = { closed: false, location: { href: '' }, opener: {}, close: () => (tab.closed = true) }
  vi.spyOn(window, 'open').mockReturnValue(tab as unknown as Window)
})

afterEach(() => {
  cleanup()
  vi.restoreAllMocks()
})

function declared(overrides: Partial<ProviderSettingsView> = {}): ProviderSettingsView {
  return {
    ...settingsView(GOOGLE_DRIVE.id),
    declaration: {
      settings: [
        {
          key: 'client_id',
          label: 'OAuth client ID',
          secret: false,
          default: null,
          help: 'From https://console.cloud.google.com',
          required: true,
          choices: null,
        },
        {
          key: 'client_secret',
          label: 'OAuth client secret',
          secret: true,
          default: null,
          help: null,
          required: true,
          choices: null,
        },
      ],
      oauth: null,
    },
    values: {
      client_id: { isSet: true, value: 'abc.apps.googleusercontent.com' },
      client_secret: { isSet: true, value: null },
    },
    signIn: {
      status: 'needed',
      reason: 'refused',
      signedInAt: null,
      host: 'accounts.google.com',
      scopes: ['https://www.googleapis.com/auth/drive.readonly'],
      pending: false,
      blocker: null,
    },
    ...overrides,
  }
}

async function openSettings(api = createFakeApi()) {
  api.listProviders.mockResolvedValue([{ ...summary(GOOGLE_DRIVE), signIn: 'needed' }])
  api.getProviderSettings.mockResolvedValue(declared())
  const rendered = renderApp(api)
  const card = await screen.findByRole('article', { name: 'Google Drive' })
  expect(within(card).getByText('Sign in needed')).toBeTruthy()
  await act(async () => fireEvent.click(within(card).getByRole('button', { name: 'Sign in…' })))
  const form = await screen.findByRole('form', { name: 'Settings' })
  return { ...rendered, form }
}

describe('the settings tab', () => {
  it('shows a set secret only as set, and sends a replacement only when one is typed', async () => {
    const { api, form } = await openSettings()
    expect(within(form).getByText(/Set · hidden/)).toBeTruthy()
    expect((within(form).getByLabelText(/OAuth client ID/) as HTMLInputElement).value).toBe(
      'abc.apps.googleusercontent.com',
    )
    const save = within(form).getByRole('button', { name: 'Save settings' })
    expect(save.hasAttribute('disabled')).toBe(true)

    await act(async () => fireEvent.click(within(form).getByRole('button', { name: 'Replace' })))
    fireEvent.change(within(form).getByLabelText(/OAuth client secret/), {
      target: { value: 'GOCSPX-new' },
    })
    await act(async () => fireEvent.click(save))
    expect(api.updateProviderSettings).toHaveBeenCalledWith(GOOGLE_DRIVE.id, {
      client_secret: 'GOCSPX-new',
    })
  })

  it('says why the sign-in is needed and starts it', async () => {
    const { api } = await openSettings()
    const section = screen.getByRole('region', { name: 'Sign-in' })
    expect(section.textContent).toContain(
      'Sign in needed: accounts.google.com refused the last sign-in',
    )
    await act(async () => fireEvent.click(within(section).getByRole('button', { name: 'Sign in' })))
    expect(api.startSignIn).toHaveBeenCalledWith(GOOGLE_DRIVE.id)
    // Browser mode: the tab opened on the click goes to the authorization URL main answered.
    expect(window.open).toHaveBeenCalledWith('', '_blank')
    expect(tab.location.href).toBe('https://accounts.example/authorize')
    expect(tab.opener).toBeNull()
  })

  it('keeps Sign in off while a setting it needs is missing', async () => {
    const api = createFakeApi()
    api.listProviders.mockResolvedValue([{ ...summary(GOOGLE_DRIVE), signIn: 'needed' }])
    const view = declared()
    api.getProviderSettings.mockResolvedValue({
      ...view,
      signIn: {
        ...view.signIn!,
        reason: 'not-signed-in',
        blocker: 'Set “OAuth client ID” before signing in.',
      },
    })
    renderApp(api)
    const card = await screen.findByRole('article', { name: 'Google Drive' })
    await act(async () => fireEvent.click(within(card).getByRole('button', { name: 'Sign in…' })))
    const section = await screen.findByRole('region', { name: 'Sign-in' })
    expect(section.textContent).toContain('Set “OAuth client ID” before signing in.')
    expect(within(section).getByRole('button', { name: 'Sign in' }).hasAttribute('disabled')).toBe(
      true,
    )
  })
})

describe('a newer shipped version', () => {
  it('is offered on the card, shown as a difference, and replaces the code on request', async () => {
    const api = createFakeApi()
    api.listProviders.mockResolvedValue([{ ...summary(GOOGLE_DRIVE), shippedUpdate: true }])
    api.getShippedUpdate.mockResolvedValue({
      providerId: GOOGLE_DRIVE.id,
      current: 'local a = 1\nlocal token = "mine"\nreturn a\n',
      shipped: 'local a = 1\nskwirl.declare {}\nreturn a\n',
    })
    renderApp(api)
    const card = await screen.findByRole('article', { name: 'Google Drive' })
    expect(card.textContent).toContain('A newer version ships with Skwirl')
    await act(async () =>
      fireEvent.click(within(card).getByRole('button', { name: 'See the difference' })),
    )
    const dialog = await screen.findByRole('dialog', {
      name: 'A newer “Google Drive” ships with Skwirl',
    })
    const removed = dialog.querySelectorAll('.diff__line--removed')
    const added = dialog.querySelectorAll('.diff__line--added')
    expect([...removed].map((line) => line.textContent)).toEqual(['− local token = "mine"\n'])
    expect([...added].map((line) => line.textContent)).toEqual(['+ skwirl.declare {}\n'])
    await act(async () =>
      fireEvent.click(
        within(dialog).getByRole('button', { name: 'Replace with the shipped version' }),
      ),
    )
    expect(api.applyShippedUpdate).toHaveBeenCalledWith(GOOGLE_DRIVE.id)
  })
})

// Asks for the admin token when the API answers 401. The token is kept in sessionStorage (this tab only) and
// sent as `Authorization: Bearer …` on every call.
import { savedToken, saveToken } from './api.ts'
import { byId, setText } from './dom.ts'

export class TokenPrompt {
  readonly #panel = byId('token-panel')
  readonly #form = byId<HTMLFormElement>('token-form')
  readonly #input = byId<HTMLInputElement>('token-input')
  readonly #message = byId('token-message')
  readonly #forget = byId<HTMLButtonElement>('token-forget')

  constructor (onToken: () => void) {
    this.#form.addEventListener('submit', (ev) => {
      ev.preventDefault()
      const token = this.#input.value.trim()
      if (token === '') return
      saveToken(token)
      this.#input.value = ''
      setText(this.#message, 'checking…')
      onToken()
    })
    this.#forget.addEventListener('click', () => {
      saveToken(null)
      this.#forget.hidden = true
      onToken()
    })
    this.#forget.hidden = savedToken() === null
  }

  /** The API refused: ask, saying whether a token was tried. */
  ask (): void {
    const tried = savedToken() !== null
    setText(this.#message, tried
      ? 'The admin API refused this token. Enter the admin.token this shadowsplit was started with.'
      : 'This admin API needs a token (admin.token, --admin-token). It is kept for this tab only.')
    if (this.#panel.hidden) {
      this.#panel.hidden = false
      this.#input.focus()
    }
  }

  accepted (): void {
    this.#panel.hidden = true
    this.#forget.hidden = savedToken() === null
  }
}

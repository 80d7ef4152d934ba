// happy-dom's ShadowRoot.activeElement walks from the focused element up through shadow hosts
// towards this shadow root. When the focused element is not inside this shadow root at all (a
// second editor took the focus, or this editor's tree was detached), the walk reaches a root with
// no host and throws a TypeError. A browser answers null there: the focused element is not in
// this tree (DOM Standard, "retargeting"). CodeMirror reads it from a timer 10 ms after a focus
// change, so the error surfaced as an unhandled one after a test that opens a second editor.
// Answer as a browser does; anything else the getter throws still throws.
const activeElement = Object.getOwnPropertyDescriptor(ShadowRoot.prototype, 'activeElement')
const read = activeElement?.get
if (!read) throw new Error('happy-dom changed: ShadowRoot.prototype.activeElement has no getter')

Object.defineProperty(ShadowRoot.prototype, 'activeElement', {
  ...activeElement,
  get(this: ShadowRoot): Element | null {
    try {
      return read.call(this) as Element | null
    } catch (error) {
      if (error instanceof TypeError && /getRootNode/.test(error.message)) return null
      throw error
    }
  },
})

// The xml module: XML text into Lua tables (namespaces resolved, entities and CDATA read, DTDs
// never processed) and Lua tables into XML text, for WebDAV, S3 and other XML APIs. Parsing is
// saxes's (a strict, namespace-aware parser held against the W3C conformance suite); this file
// decides what a provider sees and what it may not do (declare entities, exceed the caps).
import { lua, lauxlib, to_luastring, type LuaState } from 'fengari'
import { getField } from '../fengari-fast'
import type * as Saxes from 'saxes'
import { bytesAt, decodeUtf8, errorText, pushText, raise, typeName } from '../lua-values'
import { lazyRequire } from './lazy-require'

const saxes = lazyRequire<typeof Saxes>('saxes')

/** The largest document xml.decode reads (a WebDAV folder of ~30,000 entries is about 15 MB). */
export const XML_MAX_BYTES = 16 * 1024 * 1024
/** As for JSON: deeper nesting is almost always an attack. */
export const XML_MAX_DEPTH = 1000

const ELEMENT_MT_KEY = 'skwirl.xml.element'
const XML_NS = 'http://www.w3.org/XML/1998/namespace'
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'

export class XmlError extends Error {
  override name = 'XmlError'
}

/** A parsed element: its local name, namespace URI ('' for none), attributes and children. */
export interface XmlElement {
  name: string
  ns: string
  /** [key, value]: the local name for attributes without a namespace, else "{uri}local". */
  attrs: Array<[string, string]>
  children: Array<XmlElement | string>
}

export interface ParseOptions {
  /** Keep whitespace-only text between child elements (dropped by default: it is layout). */
  keepWhitespace: boolean
}

/**
 * Parses an XML document (bytes) into its root element. Throws XmlError saying what is wrong
 * and where (line:column).
 */
export function parseXml(bytes: Uint8Array, options: ParseOptions): XmlElement {
  if (bytes.length > XML_MAX_BYTES) {
    throw new XmlError(
      `the document is ${bytes.length} bytes; xml.decode reads at most ${XML_MAX_BYTES / 1024 / 1024} MiB`,
    )
  }
  const text = decodeDocument(bytes)
  const parser = new (saxes().SaxesParser)({ xmlns: true, position: true })
  const stack: Array<{ element: XmlElement; hasElements: boolean }> = []
  let root: XmlElement | null = null
  let pending = ''

  const where = (): string => `${parser.line}:${parser.column + 1}`
  const flushText = (): void => {
    const top = stack[stack.length - 1]
    if (pending === '' || !top) {
      pending = ''
      return
    }
    top.element.children.push(pending)
    pending = ''
  }
  parser.on('error', (error) => {
    throw new XmlError(error.message)
  })
  parser.on('doctype', (doctype) => {
    // Declared entities are how expansion bombs and external entities (file or URL reads) get
    // in; a backup tool has no use for them, so none is ever expanded, or even accepted.
    if (/<!ENTITY/.test(doctype)) {
      throw new XmlError(
        `${where()}: the document declares entities (<!ENTITY …>); xml.decode does not expand declared entities`,
      )
    }
  })
  parser.on('opentag', (tag) => {
    flushText()
    if (stack.length >= XML_MAX_DEPTH) {
      throw new XmlError(`${where()}: elements nested more than ${XML_MAX_DEPTH} levels deep`)
    }
    const attrs: Array<[string, string]> = []
    for (const attr of Object.values(tag.attributes)) {
      // Namespace declarations are resolved into each name's ns, not kept as attributes.
      if (attr.uri === XMLNS_NS) continue
      attrs.push([attr.uri ? `{${attr.uri}}${attr.local}` : attr.local, attr.value])
    }
    const element: XmlElement = { name: tag.local, ns: tag.uri, attrs, children: [] }
    const parent = stack[stack.length - 1]
    if (parent) {
      parent.hasElements = true
      parent.element.children.push(element)
    } else {
      root = element
    }
    stack.push({ element, hasElements: false })
  })
  parser.on('text', (chunk) => {
    pending += chunk
  })
  parser.on('cdata', (chunk) => {
    pending += chunk
  })
  parser.on('closetag', () => {
    flushText()
    const frame = stack.pop()
    if (frame && frame.hasElements && !options.keepWhitespace) {
      frame.element.children = frame.element.children.filter(
        (child) => typeof child !== 'string' || !/^[ \t\r\n]*$/.test(child),
      )
    }
  })
  try {
    parser.write(text).close()
  } catch (error) {
    if (error instanceof XmlError) throw error
    throw new XmlError(error instanceof Error ? error.message : String(error))
  }
  if (root === null) throw new XmlError('the document has no root element')
  return root
}

/**
 * The document's text: UTF-8 unless a byte order mark or the XML declaration says otherwise
 * (UTF-16, ISO-8859-1 and the other encodings TextDecoder knows).
 */
function decodeDocument(bytes: Uint8Array): string {
  let label = 'utf-8'
  if (bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be'
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) label = 'utf-16le'
  else if (!(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) {
    const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1')
    const declared = /^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][\w.-]*)["']/.exec(head)?.[1]
    if (declared) label = declared.toLowerCase()
  }
  if (label === 'utf-8' || label === 'utf8') {
    const text = decodeUtf8(bytes)
    if (text === null) throw new XmlError('the document is not valid UTF-8')
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  }
  let decoder: InstanceType<typeof TextDecoder>
  try {
    decoder = new TextDecoder(label, { fatal: true })
  } catch {
    throw new XmlError(`the document's encoding "${label}" is not supported`)
  }
  try {
    const text = decoder.decode(bytes)
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  } catch {
    throw new XmlError(`the document is not valid ${label}`)
  }
}

/** Pushes an element as a Lua table: name, ns (nil for none), attrs, children as 1..n. */
function pushElement(L: LuaState, element: XmlElement, noAttrs: number): void {
  lauxlib.luaL_checkstack(L, 6, 'XML nested too deeply')
  const children = element.children
  lua.lua_createtable(L, children.length, 3)
  pushText(L, element.name)
  lua.lua_setfield(L, -2, to_luastring('name'))
  if (element.ns !== '') {
    pushText(L, element.ns)
    lua.lua_setfield(L, -2, to_luastring('ns'))
  }
  if (element.attrs.length === 0) {
    lua.lua_pushvalue(L, noAttrs)
  } else {
    lua.lua_createtable(L, 0, element.attrs.length)
    for (const [key, value] of element.attrs) {
      pushText(L, value)
      lua.lua_setfield(L, -2, Buffer.from(key, 'utf8'))
    }
  }
  lua.lua_setfield(L, -2, to_luastring('attrs'))
  for (let i = 0; i < children.length; i++) {
    const child = children[i] as XmlElement | string
    if (typeof child === 'string') pushText(L, child)
    else pushElement(L, child, noAttrs)
    lua.lua_rawseti(L, -2, i + 1)
  }
  getField(L, lua.LUA_REGISTRYINDEX, ELEMENT_MT_KEY)
  lua.lua_setmetatable(L, -2)
}

// The element methods (also xml.find, xml.find_all, xml.text, xml.attr). A name is a local name
// (any namespace unless ns is given) or "{uri}local"; ns "" means no namespace.
const ELEMENT_METHODS = String.raw`
local type, error, tostring, select, concat = type, error, tostring, select, table.concat
local methods = {}

local function check(fn, el, name, ns, optional)
  if type(el) ~= "table" or type(el.name) ~= "string" then
    error("xml." .. fn .. ": expects an element (a table from xml.decode), got " .. type(el), 3)
  end
  if name == nil and optional then return nil, ns end
  if type(name) ~= "string" then
    error("xml." .. fn .. ": the name must be a string, got " .. type(name), 3)
  end
  if ns ~= nil and type(ns) ~= "string" then
    error("xml." .. fn .. ": the namespace must be a string or nil, got " .. type(ns), 3)
  end
  if ns == nil then
    local uri, localname = name:match("^{(.*)}(.+)$")
    if uri then return localname, uri end
  end
  return name, ns
end

local function matches(child, name, ns)
  return type(child) == "table" and (name == nil or child.name == name)
    and (ns == nil or (child.ns or "") == ns)
end

function methods.find(el, name, ns)
  name, ns = check("find", el, name, ns, false)
  for i = 1, #el do
    local child = el[i]
    if matches(child, name, ns) then return child end
  end
  return nil
end

function methods.find_all(el, name, ns)
  name, ns = check("find_all", el, name, ns, true)
  local found, n = {}, 0
  for i = 1, #el do
    local child = el[i]
    if matches(child, name, ns) then n = n + 1; found[n] = child end
  end
  return found
end

local function gather(el, parts)
  for i = 1, #el do
    local child = el[i]
    if type(child) == "string" then parts[#parts + 1] = child
    elseif type(child) == "table" then gather(child, parts) end
  end
end

function methods.text(el)
  check("text", el, nil, nil, true)
  local parts = {}
  gather(el, parts)
  return concat(parts)
end

function methods.attr(el, name, ns)
  name, ns = check("attr", el, name, ns, false)
  local attrs = el.attrs
  if type(attrs) ~= "table" then return nil end
  if ns == nil or ns == "" then return attrs[name] end
  return attrs["{" .. ns .. "}" .. name]
end

return methods
`

/** Registers xml's functions into a new table on top of the stack. */
export function openXml(L: LuaState): void {
  const status = lauxlib.luaL_loadbufferx(
    L,
    to_luastring(ELEMENT_METHODS),
    -1,
    to_luastring('=xml'),
    to_luastring('t'),
  )
  if (status !== lua.LUA_OK) throw new Error(`xml module: ${errorText(L, -1)}`)
  lua.lua_call(L, 0, 1)
  const methods = lua.lua_gettop(L)
  // The element metatable: methods through __index, hidden from getmetatable.
  lua.lua_createtable(L, 0, 2)
  lua.lua_pushvalue(L, methods)
  lua.lua_setfield(L, -2, to_luastring('__index'))
  lua.lua_pushstring(L, to_luastring('xml.element'))
  lua.lua_setfield(L, -2, to_luastring('__metatable'))
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, to_luastring(ELEMENT_MT_KEY))

  lua.lua_createtable(L, 0, 6)
  for (const name of ['find', 'find_all', 'text', 'attr']) {
    getField(L, methods, name)
    lua.lua_setfield(L, -2, to_luastring(name))
  }
  lua.lua_pushjsfunction(L, xmlDecode)
  lua.lua_setfield(L, -2, to_luastring('decode'))
  lua.lua_pushjsfunction(L, xmlEncode)
  lua.lua_setfield(L, -2, to_luastring('encode'))
  lua.lua_remove(L, methods)
}

function xmlDecode(L: LuaState): number {
  const bytes = bytesAt(L, 1)
  if (bytes === null) {
    raise(L, `xml.decode: the text (argument 1) must be a string, got ${typeName(L, 1)}`)
  }
  const keepWhitespace = readFlag(L, 2, 'xml.decode', 'keep_whitespace')
  let root: XmlElement | XmlError
  try {
    root = parseXml(bytes, { keepWhitespace })
  } catch (error) {
    if (!(error instanceof XmlError)) throw error
    root = error
  }
  if (root instanceof XmlError) raise(L, `xml.decode: ${root.message}`)
  lua.lua_settop(L, 0)
  // One read-only empty table serves every element without attributes (memory: a table each).
  lua.lua_createtable(L, 0, 0)
  lua.lua_createtable(L, 0, 2)
  lua.lua_pushjsfunction(L, (S) => raise(S, 'xml: this element has no attributes to change'))
  lua.lua_setfield(L, -2, to_luastring('__newindex'))
  lua.lua_pushboolean(L, false)
  lua.lua_setfield(L, -2, to_luastring('__metatable'))
  lua.lua_setmetatable(L, -2)
  pushElement(L, root as XmlElement, 1)
  return 1
}

/** options[key] as a boolean (options at idx may be absent). */
function readFlag(L: LuaState, idx: number, fn: string, key: string): boolean {
  const type = lua.lua_type(L, idx)
  if (type === lua.LUA_TNIL || type === lua.LUA_TNONE) return false
  if (type !== lua.LUA_TTABLE) {
    raise(L, `${fn}: the options (argument ${idx}) must be a table, got ${typeName(L, idx)}`)
  }
  getField(L, idx, key)
  const on = lua.lua_toboolean(L, -1)
  lua.lua_pop(L, 1)
  return on
}

// ---- encoding ---------------------------------------------------------------------------------

const NAME_START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}'
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`
/** An XML name without a colon (a local name or a prefix). */
// eslint-disable-next-line no-misleading-character-class -- XML's NameChar lists combining marks
const NCNAME = new RegExp(`^[${NAME_START}][${NAME_CHAR}]*$`, 'u')
/** Characters XML 1.0 cannot carry at all, escaped or not. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u

interface EncodeOptions {
  declaration: boolean
  /** prefix → namespace URI; "" is the default namespace. */
  prefixes: Map<string, string>
}

class Encoder {
  private readonly visiting = new Set<unknown>()
  /** namespace URI → prefix for elements ('' for the default namespace). */
  private readonly elementPrefix = new Map<string, string>()
  /** namespace URI → prefix for attributes (never ''). */
  private readonly attributePrefix = new Map<string, string>()
  /** Every declaration, made once on the root: [prefix ('' for the default), uri]. */
  private readonly declared: Array<[string, string]> = []

  constructor(
    private readonly L: LuaState,
    private readonly options: EncodeOptions,
  ) {}

  encode(idx: number): string {
    const root = this.read(lua.lua_absindex(this.L, idx), '$', 0)
    for (const [prefix, uri] of this.options.prefixes) {
      this.declared.push([prefix, uri])
      if (!this.elementPrefix.has(uri)) this.elementPrefix.set(uri, prefix)
      if (prefix !== '' && !this.attributePrefix.has(uri)) this.attributePrefix.set(uri, prefix)
    }
    // The root's namespace becomes the default one unless the caller chose otherwise.
    if (root.ns !== '' && root.ns !== XML_NS && !this.elementPrefix.has(root.ns)) {
      if (!this.options.prefixes.has('')) {
        this.declared.push(['', root.ns])
        this.elementPrefix.set(root.ns, '')
      }
    }
    this.bindAll(root)
    const body = this.write(root, '', true)
    return this.options.declaration ? `<?xml version="1.0" encoding="UTF-8"?>\n${body}` : body
  }

  /** Gives every namespace in the tree a prefix (ns1, ns2… where the caller named none). */
  private bindAll(element: XmlElement): void {
    if (element.ns !== '' && element.ns !== XML_NS && !this.elementPrefix.has(element.ns)) {
      this.elementPrefix.set(element.ns, this.newPrefix(element.ns))
    }
    for (const [key] of element.attrs) {
      const uri = /^\{(.*)\}/.exec(key)?.[1]
      if (uri === undefined || uri === XML_NS || this.attributePrefix.has(uri)) continue
      const prefix = this.elementPrefix.get(uri)
      this.attributePrefix.set(uri, prefix ? prefix : this.newPrefix(uri))
    }
    for (const child of element.children) if (typeof child !== 'string') this.bindAll(child)
  }

  private newPrefix(uri: string): string {
    const taken = new Set(this.declared.map(([prefix]) => prefix))
    let n = 1
    while (taken.has(`ns${n}`)) n++
    this.declared.push([`ns${n}`, uri])
    return `ns${n}`
  }

  /** The element as text; defaultNs is the default namespace in force around it. */
  private write(element: XmlElement, defaultNs: string, isRoot: boolean): string {
    // Prefixes are declared once, on the root; the default namespace where it changes.
    let declarations = isRoot
      ? this.declared
          .filter(([prefix]) => prefix !== '')
          .map(([prefix, uri]) => ` xmlns:${prefix}="${escapeAttribute(uri)}"`)
          .join('')
      : ''
    let inner = defaultNs
    const prefix =
      element.ns === XML_NS
        ? 'xml'
        : element.ns === ''
          ? ''
          : (this.elementPrefix.get(element.ns) ?? '')
    // An unprefixed element takes the default namespace in force: undo or redo it where needed.
    if (prefix === '' && element.ns !== inner) {
      declarations += ` xmlns="${escapeAttribute(element.ns)}"`
      inner = element.ns
    }
    const attrs = element.attrs
      .map(([key, value]) => {
        const clark = /^\{(.*)\}(.+)$/.exec(key)
        if (!clark) return ` ${key}="${escapeAttribute(value)}"`
        const uri = clark[1] as string
        const attrPrefix = uri === XML_NS ? 'xml' : this.attributePrefix.get(uri)
        return ` ${attrPrefix}:${clark[2]}="${escapeAttribute(value)}"`
      })
      .join('')
    const content = element.children
      .map((child) =>
        typeof child === 'string' ? escapeText(child) : this.write(child, inner, false),
      )
      .join('')
    const qname = prefix ? `${prefix}:${element.name}` : element.name
    const open = `<${qname}${declarations}${attrs}`
    return content === '' ? `${open}/>` : `${open}>${content}</${qname}>`
  }

  /** Reads the element table at idx (an absolute index) into an XmlElement, checking it. */
  private read(idx: number, path: string, depth: number): XmlElement {
    const L = this.L
    if (lua.lua_type(L, idx) !== lua.LUA_TTABLE) {
      throw new XmlError(`${path} must be an element table, got ${typeName(L, idx)}`)
    }
    if (depth >= XML_MAX_DEPTH) {
      throw new XmlError(`elements nested more than ${XML_MAX_DEPTH} levels deep at ${path}`)
    }
    const identity = lua.lua_topointer(L, idx)
    if (this.visiting.has(identity)) throw new XmlError(`the element at ${path} contains itself`)
    this.visiting.add(identity)
    lauxlib.luaL_checkstack(L, 6, 'XML nested too deeply')

    getField(L, idx, 'name')
    const rawName = this.text(-1, `${path}.name`, false)
    getField(L, idx, 'ns')
    const rawNs = lua.lua_isnil(L, -1) ? '' : this.text(-1, `${path}.ns`, true)
    lua.lua_pop(L, 2)
    let name = rawName
    let ns = rawNs
    const clark = /^\{(.*)\}(.+)$/.exec(rawName)
    if (clark) {
      if (rawNs !== '' && rawNs !== clark[1]) {
        throw new XmlError(`${path}.name says namespace ${clark[1]} but ${path}.ns says ${rawNs}`)
      }
      ns = clark[1] as string
      name = clark[2] as string
    }
    if (!NCNAME.test(name)) {
      throw new XmlError(`${path}.name ${JSON.stringify(name)} is not an XML name`)
    }

    const attrs: Array<[string, string]> = []
    getField(L, idx, 'attrs')
    if (!lua.lua_isnil(L, -1)) {
      if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) {
        throw new XmlError(`${path}.attrs must be a table, got ${typeName(L, -1)}`)
      }
      const t = lua.lua_gettop(L)
      lua.lua_pushnil(L)
      while (lua.lua_next(L, t) !== 0) {
        if (lua.lua_type(L, -2) !== lua.LUA_TSTRING) {
          throw new XmlError(`${path}.attrs keys must be strings`)
        }
        const key = this.text(-2, `${path}.attrs key`, false)
        const keyClark = /^\{(.*)\}(.+)$/.exec(key)
        const local = keyClark ? (keyClark[2] as string) : key
        if (!NCNAME.test(local)) {
          throw new XmlError(`${path}.attrs: ${JSON.stringify(key)} is not an XML attribute name`)
        }
        const type = lua.lua_type(L, -1)
        let value: string
        if (type === lua.LUA_TSTRING) value = this.text(-1, `${path}.attrs.${key}`, true)
        else if (type === lua.LUA_TNUMBER) value = lua.lua_tojsstring(L, -1)
        else if (type === lua.LUA_TBOOLEAN) value = lua.lua_toboolean(L, -1) ? 'true' : 'false'
        else {
          throw new XmlError(
            `${path}.attrs.${key} must be a string, number or boolean, got ${typeName(L, -1)}`,
          )
        }
        attrs.push([key, value])
        lua.lua_pop(L, 1)
      }
      attrs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    }
    lua.lua_pop(L, 1)

    const children: Array<XmlElement | string> = []
    const count = lua.lua_rawlen(L, idx)
    for (let i = 1; i <= count; i++) {
      lua.lua_rawgeti(L, idx, i)
      const at = `${path}[${i}]`
      const type = lua.lua_type(L, -1)
      if (type === lua.LUA_TSTRING) children.push(this.text(-1, at, true))
      else if (type === lua.LUA_TNUMBER) children.push(lua.lua_tojsstring(L, -1))
      else if (type === lua.LUA_TTABLE) children.push(this.read(lua.lua_gettop(L), at, depth + 1))
      else throw new XmlError(`${at} must be a string or an element table, got ${typeName(L, -1)}`)
      lua.lua_pop(L, 1)
    }
    this.visiting.delete(identity)
    return { name, ns, attrs, children }
  }

  private text(idx: number, what: string, content: boolean): string {
    const L = this.L
    const bytes = bytesAt(L, idx)
    if (bytes === null) throw new XmlError(`${what} must be a string, got ${typeName(L, idx)}`)
    const text = decodeUtf8(bytes)
    if (text === null) throw new XmlError(`${what} is not valid UTF-8`)
    if (content && NOT_XML_CHAR.test(text)) {
      const bad = NOT_XML_CHAR.exec(text)?.[0] ?? ''
      const code = bad.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')
      throw new XmlError(`${what} holds U+${code}, which XML 1.0 cannot carry`)
    }
    return text
  }
}

function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;',
  )
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"\t\n\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;'
      case '<':
        return '&lt;'
      case '>':
        return '&gt;'
      case '"':
        return '&quot;'
      default:
        return `&#${c.charCodeAt(0)};`
    }
  })
}

function readEncodeOptions(L: LuaState, idx: number): EncodeOptions {
  const options: EncodeOptions = { declaration: true, prefixes: new Map() }
  const type = lua.lua_type(L, idx)
  if (type === lua.LUA_TNIL || type === lua.LUA_TNONE) return options
  if (type !== lua.LUA_TTABLE) {
    raise(L, `xml.encode: the options (argument 2) must be a table, got ${typeName(L, idx)}`)
  }
  getField(L, idx, 'declaration')
  if (!lua.lua_isnil(L, -1)) options.declaration = lua.lua_toboolean(L, -1)
  getField(L, idx, 'prefixes')
  if (!lua.lua_isnil(L, -1)) {
    if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) {
      raise(L, `xml.encode: options.prefixes must be a table, got ${typeName(L, -1)}`)
    }
    const t = lua.lua_gettop(L)
    lua.lua_pushnil(L)
    while (lua.lua_next(L, t) !== 0) {
      const prefix = lua.lua_type(L, -2) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -2) : null
      const uri = lua.lua_type(L, -1) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -1) : null
      if (prefix === null || uri === null || uri === '') {
        raise(L, 'xml.encode: options.prefixes maps prefixes (strings) to namespace URIs')
      }
      if (prefix !== '' && (!NCNAME.test(prefix) || /^xml/i.test(prefix))) {
        raise(L, `xml.encode: options.prefixes: ${JSON.stringify(prefix)} cannot be a prefix`)
      }
      options.prefixes.set(prefix, uri)
      lua.lua_pop(L, 1)
    }
  }
  lua.lua_pop(L, 2)
  return options
}

function xmlEncode(L: LuaState): number {
  const options = readEncodeOptions(L, 2)
  let result: string | XmlError
  try {
    result = new Encoder(L, options).encode(1)
  } catch (error) {
    if (!(error instanceof XmlError)) throw error
    result = error
  }
  if (result instanceof XmlError) raise(L, `xml.encode: ${result.message}`)
  pushText(L, result)
  return 1
}

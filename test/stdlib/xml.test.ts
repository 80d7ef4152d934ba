// xml through a real runner: a WebDAV multistatus and an S3 listing read the way providers read
// them (namespaces resolved whatever the prefixes), entities, character references and CDATA,
// the encodings a server may declare, the refusals (declared entities, external entities,
// expansion bombs, the size and depth caps), and xml.encode's PROPFIND bodies read back.
import { describe, it } from 'vitest'
import { expectLua, lit, useStdlibFixtures } from './harness'

const fixtures = useStdlibFixtures()

const MULTISTATUS = `<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:oc="http://owncloud.org/ns">
  <d:response>
    <d:href>/remote.php/dav/files/alice/Photos/</d:href>
    <d:propstat>
      <d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop>
      <d:status>HTTP/1.1 200 OK</d:status>
    </d:propstat>
  </d:response>
  <d:response>
    <d:href>/remote.php/dav/files/alice/Photos/Caf%C3%A9%20%26%20bar.jpg</d:href>
    <d:propstat>
      <d:prop>
        <d:getcontentlength>3072</d:getcontentlength>
        <d:getlastmodified>Tue, 01 Oct 2024 08:00:00 GMT</d:getlastmodified>
        <d:getetag>&quot;66fbaa0e1a2b3&quot;</d:getetag>
        <d:resourcetype/>
        <oc:checksums><oc:checksum>SHA1:a9993e36 MD5:900150983cd24fb0d6963f7d28e17f72</oc:checksum></oc:checksums>
      </d:prop>
      <d:status>HTTP/1.1 200 OK</d:status>
    </d:propstat>
    <d:propstat>
      <d:prop><x:missing xmlns:x="urn:example"/></d:prop>
      <d:status>HTTP/1.1 404 Not Found</d:status>
    </d:propstat>
  </d:response>
</d:multistatus>`

const LISTING = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>photos</Name><IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken><Contents><Key>2024/a &amp; b.jpg</Key><LastModified>2024-10-01T08:00:00.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>12</Size></Contents><Contents><Key>big.iso</Key><ETag>"d41d8cd98f00b204e9800998ecf8427e-3"</ETag><Size>3221225472</Size></Contents></ListBucketResult>`

describe('xml.decode', () => {
  it('reads a WebDAV multistatus: names and namespaces, whatever the prefixes', async () => {
    await expectLua(
      fixtures.core,
      `local xml = require "xml"
      local root = xml.decode(${lit(MULTISTATUS)})
      eq("root name", root.name, "multistatus")
      eq("root ns", root.ns, "DAV:")
      local responses = root:find_all("response", "DAV:")
      eq("responses", #responses, 2)
      eq("whitespace between elements is dropped", #root, 2)
      local file = responses[2]
      eq("href", file:find("href"):text(), "/remote.php/dav/files/alice/Photos/Caf%C3%A9%20%26%20bar.jpg")
      local prop = file:find("propstat"):find("prop")
      eq("size", prop:find("{DAV:}getcontentlength"):text(), "3072")
      eq("etag entity", prop:find("getetag", "DAV:"):text(), '"66fbaa0e1a2b3"')
      eq("wrong namespace", prop:find("getetag", "http://owncloud.org/ns"), nil)
      eq("no namespace", prop:find("getetag", ""), nil)
      local sums = prop:find("checksums", "http://owncloud.org/ns")
      eq("checksum", sums:find("checksum"):text(), "SHA1:a9993e36 MD5:900150983cd24fb0d6963f7d28e17f72")
      eq("collection", responses[1]:find("propstat"):find("prop"):find("resourcetype"):find("collection").ns, "DAV:")
      eq("empty element", #prop:find("resourcetype"), 0)
      local missing = file:find_all("propstat")[2]:find("prop")[1]
      eq("local declaration", missing.ns, "urn:example")
      eq("module form", xml.text(xml.find(file, "href")), file:find("href"):text())
      eq("all children", #xml.find_all(prop), 5)`,
    )
  })

  it('reads an S3 listing in a default namespace: entities in text, 3 GiB sizes as text', async () => {
    await expectLua(
      fixtures.core,
      `local xml = require "xml"
      local r = xml.decode(${lit(LISTING)})
      local S3 = "http://s3.amazonaws.com/doc/2006-03-01/"
      eq("ns", r.ns, S3)
      eq("truncated", r:find("IsTruncated"):text(), "true")
      eq("token", r:find("NextContinuationToken", S3):text(), "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
      local contents = r:find_all("Contents")
      eq("count", #contents, 2)
      eq("key", contents[1]:find("Key"):text(), "2024/a & b.jpg")
      eq("etag", contents[1]:find("ETag"):text(), '"9b2cf535f27731c974343645a3985328"')
      eq("size", tonumber(contents[2]:find("Size"):text()), 3221225472)`,
    )
  })

  it('reads entities, character references, CDATA, attributes and unicode', async () => {
    const doc = `<a xmlns:x="urn:x" plain="1 &lt; 2" x:q="&#x1F600;" spaced="a&#9;b
c"><b>caf&#233; &amp; th&#xE9;<![CDATA[ <raw> & ]]>end</b><c>  </c><d>日本語</d></a>`
    await expectLua(
      fixtures.core,
      `local xml = require "xml"
      local a = xml.decode(${lit(doc)})
      eq("attr", a.attrs.plain, "1 < 2")
      eq("attr method", a:attr("plain"), "1 < 2")
      eq("namespaced attr", a.attrs["{urn:x}q"], "\\u{1F600}")
      eq("namespaced attr method", a:attr("q", "urn:x"), "\\u{1F600}")
      eq("attr normalised", a.attrs.spaced, "a\\tb c")
      eq("no xmlns attrs", a.attrs["xmlns:x"], nil)
      eq("text", a:find("b"):text(), "café & thé <raw> & end")
      eq("one string", #a:find("b"), 1)
      eq("whitespace alone is kept", a:find("c")[1], "  ")
      eq("utf8", a:find("d"):text(), "日本語")
      eq("no attrs", next(a:find("d").attrs), nil)
      fails("shared empty attrs are read-only", "no attributes to change", function() a:find("d").attrs.x = 1 end)
      eq("whole text", a:text(), "café & thé <raw> & end  日本語")`,
    )
  })

  it('keeps whitespace between elements when asked', async () => {
    await expectLua(
      fixtures.core,
      `local xml = require "xml"
      local a = xml.decode("<a> <b/>\\n <c/></a>", { keep_whitespace = true })
      eq("kept", #a, 4)
      eq("first", a[1], " ")
      eq("mixed content keeps its words", #xml.decode("<p>Hello <b>you</b> there</p>"), 3)`,
    )
  })

  it('reads the encodings a server may declare', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><n>caf'),
      Buffer.from([0xe9]),
      Buffer.from('</n>'),
    ])
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('<?xml version="1.0" encoding="UTF-16"?><n>thé</n>', 'utf16le'),
    ])
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<n>é</n>')])
    await expectLua(
      fixtures.core,
      `local xml = require "xml"
      eq("latin1", xml.decode(${lit(latin1)}):text(), "café")
      eq("utf16", xml.decode(${lit(utf16)}):text(), "thé")
      eq("bom", xml.decode(${lit(bom)}):text(), "é")
      fails("bad utf8", "not valid UTF%-8", xml.decode, "<n>\\xff</n>")
      fails("unknown", 'encoding "x%-klingon" is not supported', xml.decode, '<?xml version="1.0" encoding="x-klingon"?><n/>')`,
    )
  })

  it('refuses declared entities, external entities and expansion bombs, and says why', async () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>`
    const external = `<?xml version="1.0"?>
<!DOCTYPE d [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]><d>&secret;</d>`
    const parameter = `<!DOCTYPE d [ <!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p; ]><d/>`
    await expectLua(
      fixtures.core,
      `local xml = require "xml"
      fails("bomb", "declares entities", xml.decode, ${lit(laughs)})
      fails("external", "declares entities", xml.decode, ${lit(external)})
      fails("parameter", "declares entities", xml.decode, ${lit(parameter)})
      fails("undeclared", "undefined entity", xml.decode, "<d>&nbsp;</d>")
      -- A DOCTYPE without declarations is harmless and skipped.
      eq("doctype", xml.decode('<!DOCTYPE d SYSTEM "d.dtd"><d>x</d>'):text(), "x")`,
    )
  })

  it('refuses what is not well-formed, with the line and column', async () => {
    await expectLua(
      fixtures.core,
      `local xml = require "xml"
      fails("mismatch", "xml.decode: 1:%d+: unexpected close tag", xml.decode, "<a><b></a>")
      fails("unbound prefix", "unbound namespace prefix", xml.decode, "<x:a/>")
      fails("two roots", "xml.decode: ", xml.decode, "<a/><b/>")
      fails("empty", "xml.decode: ", xml.decode, "")
      fails("not text", "the text %(argument 1%) must be a string, got no value", xml.decode)
      fails("options", "the options %(argument 2%) must be a table", xml.decode, "<a/>", 1)`,
    )
  })

  it('caps the size and the depth', async () => {
    await expectLua(
      fixtures.core,
      `local xml = require "xml"
      local big = "<a>" .. ("x"):rep(16 * 1024 * 1024) .. "</a>"
      fails("size", "is 16777223 bytes; xml.decode reads at most 16 MiB", xml.decode, big)
      local deep = ("<a>"):rep(1001) .. ("</a>"):rep(1001)
      fails("depth", "nested more than 1000 levels deep", xml.decode, deep)
      local ok = ("<a>"):rep(1000) .. ("</a>"):rep(1000)
      eq("1000 levels", xml.decode(ok).name, "a")`,
    )
  })
})

describe('xml.encode', () => {
  it('writes a PROPFIND body that decodes back to what was asked', async () => {
    await expectLua(
      fixtures.core,
      `local xml = require "xml"
      local body = xml.encode({ name = "propfind", ns = "DAV:",
        { name = "prop", ns = "DAV:",
          { name = "getcontentlength", ns = "DAV:" },
          { name = "getetag", ns = "DAV:" },
          { name = "{http://owncloud.org/ns}checksums" },
        },
      }, { prefixes = { d = "DAV:", oc = "http://owncloud.org/ns" } })
      eq("text", body, '<?xml version="1.0" encoding="UTF-8"?>\\n<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><d:getcontentlength/><d:getetag/><oc:checksums/></d:prop></d:propfind>')
      local back = xml.decode(body)
      eq("ns", back:find("prop"):find("checksums").ns, "http://owncloud.org/ns")`,
    )
  })

  it('chooses prefixes itself: the root namespace as default, ns1… for the others', async () => {
    await expectLua(
      fixtures.core,
      `local xml = require "xml"
      local text = xml.encode({ name = "Delete", ns = "urn:s3",
        { name = "Object", { name = "Key", ns = "urn:s3", "a&b <c> ]]>" } },
        { name = "x", ns = "urn:other", attrs = { ["{urn:other}id"] = 7, plain = 'say "hi"\\n' } },
      }, { declaration = false })
      eq("text", text, '<Delete xmlns:ns1="urn:other" xmlns="urn:s3"><Object xmlns=""><Key xmlns="urn:s3">a&amp;b &lt;c&gt; ]]&gt;</Key></Object><ns1:x plain="say &quot;hi&quot;&#10;" ns1:id="7"/></Delete>')
      local back = xml.decode(text)
      eq("no namespace", back:find("Object").ns, nil)
      eq("key", back:find("Object"):find("Key", "urn:s3"):text(), "a&b <c> ]]>")
      eq("attr", back:find("x"):attr("id", "urn:other"), "7")
      eq("attr text", back:find("x").attrs.plain, 'say "hi"\\n')`,
    )
  })

  it('round-trips what it decoded', async () => {
    await expectLua(
      fixtures.core,
      `local xml = require "xml"
      local first = xml.decode(${lit(MULTISTATUS)})
      local again = xml.decode(xml.encode(first))
      eq("same text", xml.encode(again), xml.encode(first))
      eq("href", again:find("response"):find("href"):text(), "/remote.php/dav/files/alice/Photos/")`,
    )
  })

  it('refuses what XML cannot say, naming the place', async () => {
    await expectLua(
      fixtures.core,
      `local xml = require "xml"
      fails("name", '%$%[1%]%.name "1st" is not an XML name', xml.encode, { name = "a", { name = "1st" } })
      fails("missing name", "%$%.name must be a string, got nil", xml.encode, {})
      fails("control", "%$%[1%] holds U%+0001, which XML 1%.0 cannot carry", xml.encode, { name = "a", "\\1" })
      fails("bad utf8", "is not valid UTF%-8", xml.encode, { name = "a", "\\xff" })
      fails("child type", "%$%[1%] must be a string or an element table, got boolean", xml.encode, { name = "a", true })
      local loop = { name = "a" }
      loop[1] = loop
      fails("cycle", "the element at %$%[1%] contains itself", xml.encode, loop)
      fails("prefix", "cannot be a prefix", xml.encode, { name = "a" }, { prefixes = { xmlfoo = "urn:x" } })
      fails("not a table", "%$ must be an element table, got string", xml.encode, "a")`,
    )
  })
})

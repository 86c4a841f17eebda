import BosunYAML
import Testing

@Suite("YAML through libyaml")
struct YAMLParserTests {
    @Test("every node keeps its line and column, keys included")
    func positions() throws {
        let root = try #require(try YAMLParser.parseDocument("services:\n  web:\n    image: nginx\n"))
        let services = try #require(root.mapping?.first)
        #expect(services.key.start == YAMLMark(line: 1, column: 1))
        let web = try #require(services.value.mapping?.first)
        #expect(web.key.start.line == 2 && web.key.start.column == 3)
        let image = try #require(web.value.mapping?.first)
        #expect(image.key.scalar == "image")
        #expect(image.value.start.line == 3 && image.value.start.column == 12)
        #expect(image.value.end.column == 17)
    }

    @Test("a duplicate key is an error at the second key, naming the first")
    func duplicateKeys() {
        #expect {
            _ = try YAMLParser.parseDocument("a: 1\nb: 2\na: 3\n")
        } throws: { error in
            let e = error as! YAMLError
            return e.mark.line == 3 && e.mark.column == 1 && e.related?.line == 1 && e.message.contains("duplicate key \"a\"")
        }
    }

    @Test("anchors, aliases and merge keys; explicit keys win over merged ones")
    func mergeKeys() throws {
        let text = """
        base: &base
          image: busybox
          restart: always
        extra: &extra
          restart: no
          init: true
        svc:
          <<: [*base, *extra]
          restart: unless-stopped
        copy: *base
        """
        let root = try #require(try YAMLParser.parseDocument(text))
        let svc = try #require(root["svc"])
        #expect(svc["image"]?.scalar == "busybox")
        #expect(svc["restart"]?.scalar == "unless-stopped")
        #expect(svc["init"]?.scalar == "true")
        #expect(svc.mapping?.count == 3)
        #expect(root["copy"]?["image"]?.scalar == "busybox")
    }

    @Test("yes, no and on stay strings with their style; null is recognised")
    func scalarsStayText() throws {
        let root = try #require(try YAMLParser.parseDocument("a: no\nb: 'yes'\nc: on\nd:\ne: ~\nf: \"null\"\n"))
        #expect(root["a"]?.scalar == "no")
        #expect(root["b"]?.scalar == "yes")
        #expect(root["c"]?.scalar == "on")
        #expect(root["d"]?.isNull == true)
        #expect(root["e"]?.isNull == true)
        #expect(root["f"]?.isNull == false)
    }

    @Test("multi-document streams give one tree per document")
    func multipleDocuments() throws {
        let documents = try YAMLParser.parseStream("a: 1\n---\nb: 2\n---\n- x\n")
        #expect(documents.count == 3)
        #expect(documents[1]["b"]?.scalar == "2")
        #expect(documents[2].sequence?.first?.scalar == "x")
        #expect(throws: YAMLError.self) { try YAMLParser.parseDocument("a: 1\n---\nb: 2\n") }
    }

    @Test("a syntax error names its position")
    func syntaxError() {
        #expect {
            _ = try YAMLParser.parseDocument("services:\n  web:\n    image: [nginx\n  db: x\n")
        } throws: { error in
            let e = error as! YAMLError
            return e.mark.line >= 3 && !e.message.isEmpty
        }
    }

    @Test("an unknown alias is an error that says what to do")
    func unknownAlias() {
        #expect {
            _ = try YAMLParser.parseDocument("a: *nope\n")
        } throws: { error in
            (error as! YAMLError).message.contains("unknown alias *nope")
        }
    }

    @Test("alias bombs are refused instead of expanded")
    func billionLaughs() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 {
            text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        #expect {
            _ = try YAMLParser.parseDocument(text)
        } throws: { error in
            (error as! YAMLError).message.contains("expands to more than")
        }
    }

    @Test("an empty stream has no document")
    func empty() throws {
        #expect(try YAMLParser.parseDocument("") == nil)
        #expect(try YAMLParser.parseStream("# only a comment\n").isEmpty)
    }
}

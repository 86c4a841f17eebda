import BosunHost
import BosunModel
import Foundation
import Testing

/// Repository files reach containers through a content store: a container keeps the content it was created
/// with, whatever commits follow, and a new digest is new content.
@Suite("Source content store")
struct SourceFilesTests {
    static func write(_ files: [String: String], executable: Set<String> = [], under root: String) throws {
        for (path, text) in files {
            let full = root + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: false, encoding: .utf8)
            chmod(full, executable.contains(path) ? 0o755 : 0o644)
        }
    }

    static func digest(_ files: [String: String], _ path: String) throws -> String {
        try #require(try SourceDigest.of(InMemoryFileTree(displayName: "t", files: files.mapValues { Array($0.utf8) }), path: path))
    }

    @Test("a file and a directory are copied once by digest; later commits do not touch what a container binds")
    func copiesByDigest() throws {
        let dir = NSTemporaryDirectory() + "bosun-sources-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = ["conf/app.conf": "listen 8080\n", "www/index.html": "<h1>one</h1>\n", "www/css/site.css": "body {}\n"]
        try Self.write(first, under: dir + "/commits/a")
        let sources = SourceFiles(root: dir + "/commits/a", store: dir + "/content")

        let conf = try #require(try sources.bindPath("./conf/app.conf", digest: Self.digest(first, "conf/app.conf")))
        let www = try #require(try sources.bindPath("./www", digest: Self.digest(first, "www")))
        #expect(conf.hasPrefix(dir + "/content/"))
        #expect(try String(contentsOfFile: conf, encoding: .utf8) == "listen 8080\n")
        #expect(try String(contentsOfFile: www + "/css/site.css", encoding: .utf8) == "body {}\n")
        #expect(try sources.bindPath("./conf/app.conf", digest: Self.digest(first, "conf/app.conf")) == conf)

        // The next commit changes the file: new content at a new path; the old copy stays as it was.
        var second = first
        second["conf/app.conf"] = "listen 9090\n"
        try Self.write(second, under: dir + "/commits/b")
        try FileManager.default.removeItem(atPath: dir + "/commits/a")  // the old export is pruned
        sources.set(dir + "/commits/b", store: dir + "/content")
        let newConf = try #require(try sources.bindPath("./conf/app.conf", digest: Self.digest(second, "conf/app.conf")))
        #expect(newConf != conf)
        #expect(try String(contentsOfFile: newConf, encoding: .utf8) == "listen 9090\n")
        #expect(try String(contentsOfFile: conf, encoding: .utf8) == "listen 8080\n")
        #expect(try sources.bindPath("./www", digest: Self.digest(second, "www")) == www)

        // What no container uses any more goes at the next convergence.
        sources.prune(keeping: [try Self.digest(second, "conf/app.conf"), try Self.digest(second, "www")])
        #expect(!FileManager.default.fileExists(atPath: conf))
        #expect(FileManager.default.fileExists(atPath: newConf) && FileManager.default.fileExists(atPath: www))
    }

    @Test("an executable file stays executable, and its digest says so")
    func executable() throws {
        let dir = NSTemporaryDirectory() + "bosun-sources-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write(["run.sh": "#!/bin/sh\necho hi\n"], executable: ["run.sh"], under: dir + "/commits/a")
        let sources = SourceFiles(root: dir + "/commits/a", store: dir + "/content")
        let digest = ConfigHash.digest(Array("#!/bin/sh\necho hi\n".utf8)) + "+x"
        let path = try #require(try sources.bindPath("./run.sh", digest: digest))
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o755)
        // The same bytes without the bit are other content.
        #expect(throws: HostError.self) { try sources.bindPath("./run.sh", digest: ConfigHash.digest(Array("#!/bin/sh\necho hi\n".utf8))) }
    }

    @Test("an export whose content is not the commit's is refused, not bound")
    func mismatch() throws {
        let dir = NSTemporaryDirectory() + "bosun-sources-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write(["conf/app.conf": "tampered\n"], under: dir + "/commits/a")
        let sources = SourceFiles(root: dir + "/commits/a", store: dir + "/content")
        #expect(throws: HostError.self) { try sources.bindPath("./conf/app.conf", digest: Self.digest(["conf/app.conf": "listen 8080\n"], "conf/app.conf")) }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir + "/content")) ?? []).isEmpty)
    }

    @Test("a directory source is bound where it is, live, as Compose binds it")
    func directorySource() throws {
        let sources = SourceFiles(root: "/srv/manifests")
        #expect(try sources.bindPath("./demo/www", digest: "tree-sha256:00") == "/srv/manifests/demo/www")
    }
}

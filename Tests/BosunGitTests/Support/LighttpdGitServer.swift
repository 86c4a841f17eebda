import Foundation

/// lighttpd on 127.0.0.1 running `git http-backend` as CGI under `/git/`, with basic auth and optional TLS.
final class LighttpdGitServer: @unchecked Sendable {
    let port: Int
    let scheme: String
    private let server: ServerProcess

    /// Serves repositories under `projectRoot`; `users` maps user names to passwords (empty: no auth);
    /// `tls` is a PEM file holding the server certificate and key.
    init(projectRoot: String, directory: String, users: [String: String], tls: (certificate: String, key: String)? = nil) throws {
        port = try Ports.free()
        scheme = tls == nil ? "http" : "https"
        let userFile = "\(directory)/lighttpd.users"
        try users.map { "\($0.key):\($0.value)\n" }.joined().write(toFile: userFile, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "\(directory)/www", withIntermediateDirectories: true)
        var config = """
            server.modules = ("mod_alias", "mod_setenv", "mod_cgi", "mod_auth", "mod_authn_file"\(tls == nil ? "" : ", \"mod_openssl\""))
            server.bind = "127.0.0.1"
            server.port = \(port)
            server.document-root = "\(directory)/www"
            server.pid-file = "\(directory)/lighttpd.pid"
            server.errorlog = "\(directory)/lighttpd.error.log"
            alias.url = ("/git" => "/usr/lib/git-core/git-http-backend")
            $HTTP["url"] =~ "^/git" {
                cgi.assign = ("" => "")
                setenv.add-environment = ("GIT_PROJECT_ROOT" => "\(projectRoot)", "GIT_HTTP_EXPORT_ALL" => "", "GIT_CONFIG_NOSYSTEM" => "1")
            }

            """
        if !users.isEmpty {
            config += """
                auth.backend = "plain"
                auth.backend.plain.userfile = "\(userFile)"
                auth.require = ("/git" => ("method" => "basic", "realm" => "git", "require" => "valid-user"))

                """
        }
        if let tls {
            config += """
                ssl.engine = "enable"
                ssl.pemfile = "\(tls.certificate)"
                ssl.privkey = "\(tls.key)"

                """
        }
        let configPath = "\(directory)/lighttpd.conf"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        server = try ServerProcess("lighttpd", ["-D", "-f", configPath], logPath: "\(directory)/lighttpd.log")
        do {
            try Ports.waitUntilAccepting(port, process: server)
        } catch {
            server.stop()
            let errors = (try? String(contentsOfFile: "\(directory)/lighttpd.error.log", encoding: .utf8)) ?? ""
            throw TestSupportError("\(error) \(errors)")
        }
    }

    /// The URL of repository `name` (e.g. `repo.git`) on `host`.
    func url(_ name: String, host: String = "127.0.0.1") -> String { "\(scheme)://\(host):\(port)/git/\(name)" }

    func stop() { server.stop() }
}

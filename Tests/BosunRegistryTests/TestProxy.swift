import Foundation

/// A small HTTP proxy in front of a test registry (Python's http.server), for what docker-registry cannot do
/// on its own offline: a Bearer token service, a connection cut in the middle of a blob, blob redirects to
/// another host. It logs each request to `log` so tests can check what the client sent.
final class TestProxy: @unchecked Sendable {
    struct Options {
        /// Require Bearer tokens, issued by `/token` for these basic credentials.
        var bearer: (user: String, password: String)?
        /// The first full GET of each blob sends the headers and only this many bytes, then drops the connection.
        var cutAfter: Int?
        /// Answer blob GETs with a 307 to `http://localhost:<port>/storage/…`.
        var redirectBlobs = false
    }

    let port: Int
    let child: ChildProcess
    let logPath: String
    var hostPort: String { "127.0.0.1:\(port)" }

    init(upstream: String, directory: String, options: Options) async throws {
        port = try TestTools.freePort()
        let script = directory + "/proxy.py"
        try TestProxy.script.write(toFile: script, atomically: true, encoding: .utf8)
        logPath = directory + "/proxy-\(port).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        var arguments = [script, "--port", "\(port)", "--upstream", upstream, "--log", logPath]
        if let bearer = options.bearer { arguments += ["--bearer", "\(bearer.user):\(bearer.password)"] }
        if let cut = options.cutAfter { arguments += ["--cut-after", "\(cut)"] }
        if options.redirectBlobs { arguments += ["--redirect-blobs"] }
        child = try ChildProcess("/usr/bin/python3", arguments, log: directory + "/proxy-\(port).out")
        do { try await TestTools.waitForHTTP("http://127.0.0.1:\(port)/ping") } catch {
            child.stop()
            throw error
        }
    }

    /// The logged requests, one line each.
    var log: [String] {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() { child.stop() }

    static let script = #"""
    import argparse, base64, http.client, http.server, json, os, secrets, signal, socket, threading, time

    # The test process may hand its blocked or ignored SIGTERM down: stop promptly when asked.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--bearer")
    parser.add_argument("--cut-after", type=int)
    parser.add_argument("--redirect-blobs", action="store_true")
    args = parser.parse_args()
    lock = threading.Lock()
    tokens = set()
    cut_done = set()

    def log(line):
        with lock:
            with open(args.log, "a") as f:
                f.write(line + "\n")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *a):
            pass

        def reply(self, status, body=b"", headers=()):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            path = self.path
            auth = self.headers.get("Authorization") or ""
            log("%s %s auth=%s range=%s" % (self.command, path.split("?")[0], auth.split(" ")[0] or "none", self.headers.get("Range") or "none"))
            if path == "/ping":
                return self.reply(200, b"ok")
            if path.startswith("/token"):
                expected = "Basic " + base64.b64encode(args.bearer.encode()).decode()
                if auth != expected:
                    return self.reply(401, b'{"details":"bad credentials"}', [("Content-Type", "application/json")])
                token = secrets.token_hex(16)
                with lock:
                    tokens.add(token)
                log("issued token for " + path.split("scope=")[-1])
                body = json.dumps({"token": token, "expires_in": 300, "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
                return self.reply(200, body.encode(), [("Content-Type", "application/json")])
            if path.startswith("/storage/"):
                return self.forward(path[len("/storage"):], storage=True)
            if args.bearer and path.startswith("/v2/"):
                ok = auth.startswith("Bearer ") and auth[7:] in tokens
                if not ok:
                    repo = path[4:].split("/manifests/")[0].split("/blobs/")[0]
                    challenge = 'Bearer realm="http://127.0.0.1:%d/token",service="test-registry",scope="repository:%s:pull"' % (args.port, repo)
                    return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', [("WWW-Authenticate", challenge), ("Content-Type", "application/json")])
            if args.redirect_blobs and "/blobs/" in path:
                return self.reply(307, b"", [("Location", "http://localhost:%d/storage%s" % (args.port, path))])
            return self.forward(path)

        def forward(self, path, storage=False):
            connection = http.client.HTTPConnection(args.upstream, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() in ("accept", "range")}
            connection.request(self.command, path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            connection.close()
            cut = args.cut_after is not None and "/blobs/" in path and self.headers.get("Range") is None and path not in cut_done and response.status == 200
            self.send_response(response.status)
            for k, v in response.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "HEAD":
                return
            if cut:
                with lock:
                    cut_done.add(path)
                log("cut %s after %d of %d" % (path, args.cut_after, len(body)))
                self.wfile.write(body[:args.cut_after])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()
    """#
}

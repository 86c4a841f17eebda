import BosunAgent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The agent's webhook endpoint: `POST <path>` with a forge's signed push notification triggers a poll at
/// once. Unsigned, wrongly signed or replayed deliveries are refused (401, 409) and trigger nothing; bodies over
/// 1 MiB are refused (413). `GET /healthz` answers 200 for load balancers. The delivery carries no desired state:
/// the agent still fetches from git, so a webhook can only make it look sooner.
public final class WebhookServer: Sendable {
    public static let maximumBody = 1 << 20

    let channel: any Channel
    /// The bound address (port 0 picks a free one).
    public var port: Int? { channel.localAddress?.port }

    /// Binds `host:port`; `trigger` runs on an event loop with the delivery id for each accepted delivery.
    public static func start(
        host: String, port: Int, path: String = "/webhook", secret: [UInt8],
        log: @escaping @Sendable (String) -> Void, trigger: @escaping @Sendable (String?) -> Void
    ) async throws -> WebhookServer {
        let verifier = NIOLockedValueBox(WebhookVerifier(secret: secret))
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 32)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(WebhookHandler(path: path, verifier: verifier, log: log, trigger: trigger))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        return WebhookServer(channel: channel)
    }

    init(channel: any Channel) { self.channel = channel }

    /// Stops listening (connections in flight finish).
    public func stop() async {
        try? await channel.close()
    }

    /// Splits `127.0.0.1:9099` or `[::1]:9099` into host and port.
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}

/// One HTTP connection of the webhook endpoint: collects a request, answers it, closes.
final class WebhookHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let path: String
    let verifier: NIOLockedValueBox<WebhookVerifier>
    let log: @Sendable (String) -> Void
    let trigger: @Sendable (String?) -> Void
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var tooLarge = false

    init(path: String, verifier: NIOLockedValueBox<WebhookVerifier>, log: @escaping @Sendable (String) -> Void,
         trigger: @escaping @Sendable (String?) -> Void) {
        self.path = path
        self.verifier = verifier
        self.log = log
        self.trigger = trigger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
            body = []
            tooLarge = false
        case .body(var chunk):
            if body.count + chunk.readableBytes > WebhookServer.maximumBody {
                tooLarge = true
            } else if let bytes = chunk.readBytes(length: chunk.readableBytes) {
                body += bytes
            }
        case .end:
            guard let head else { return }
            let (status, text) = answer(head)
            respond(context: context, status: status, text: text)
            self.head = nil
        }
    }

    func answer(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String) {
        let target = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        if target == "/healthz" && head.method == .GET { return (.ok, "ok") }
        guard target == path else { return (.notFound, "no such endpoint; webhooks go to \(path)") }
        guard head.method == .POST else { return (.methodNotAllowed, "use POST") }
        guard !tooLarge else { return (.payloadTooLarge, "the body is over \(WebhookServer.maximumBody) bytes") }
        let headers = head.headers.map { ($0.name, $0.value) }
        do {
            let body = self.body
            let delivery = try verifier.withLockedValue { verifier in
                try verifier.verify(headers: headers, body: body, now: Int64(Date().timeIntervalSince1970 * 1000))
            }
            log("event=webhook outcome=accepted delivery=\(delivery ?? "-")")
            trigger(delivery)
            return (.accepted, "accepted: polling now")
        } catch let refusal as WebhookVerifier.Refusal {
            log("event=webhook outcome=refused reason=\"\(refusal)\"")
            switch refusal {
            case .replayed, .replayedBody: return (.conflict, "\(refusal)")
            default: break
            }
            return (.unauthorized, "\(refusal)")
        } catch {
            return (.internalServerError, "\(error)")
        }
    }

    func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, text: String) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(text.utf8.count + 1))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count + 1)
        buffer.writeString(text + "\n")
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

public import BosunAgent
import Foundation
import NIOCore
import NIOPosix

/// The agent's control socket: a unix socket, 0600 in a 0700 directory, so only root can connect. Each
/// connection sends JSON requests one per line and gets one JSON response per line.
public final class ControlServer: Sendable {
    let channel: any Channel
    public let path: String

    /// Binds `path` (replacing a stale socket file) and answers with `handle`.
    public static func start(path: String, handle: @escaping @Sendable (ControlRequest) async -> ControlResponse) async throws -> ControlServer {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ControlConnection(handle: handle)) }
            }
        // No umask games: the umask is process-wide and other threads create files. The directory is 0700, so
        // nobody else can reach the socket in the moment before its chmod.
        let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        chmod(path, 0o600)
        return ControlServer(channel: channel, path: path)
    }

    init(channel: any Channel, path: String) {
        self.channel = channel
        self.path = path
    }

    public func stop() async {
        try? await channel.close()
        unlink(path)
    }
}

/// One client of the control socket.
final class ControlConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    static let maximumLine = 64 * 1024

    let handle: @Sendable (ControlRequest) async -> ControlResponse
    var pending: [UInt8] = []

    init(handle: @escaping @Sendable (ControlRequest) async -> ControlResponse) { self.handle = handle }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = Array(pending[..<newline])
            pending.removeSubrange(...newline)
            answer(line, context: context)
        }
        if pending.count > ControlConnection.maximumLine {
            pending = []
            reply(ControlResponse(ok: false, message: "request line too long"), context: context)
        }
    }

    func answer(_ line: [UInt8], context: ChannelHandlerContext) {
        guard let request = try? JSONDecoder().decode(ControlRequest.self, from: Data(line)) else {
            reply(ControlResponse(ok: false, message: "not a JSON request like {\"command\":\"status\"}"), context: context)
            return
        }
        let handle = self.handle
        let loop = context.eventLoop
        let promise = loop.makePromise(of: ControlResponse.self)
        promise.completeWithTask { await handle(request) }
        let channel = context.channel
        promise.futureResult.whenSuccess { response in
            ControlConnection.write(response, to: channel)
        }
    }

    func reply(_ response: ControlResponse, context: ChannelHandlerContext) {
        ControlConnection.write(response, to: context.channel)
    }

    static func write(_ response: ControlResponse, to channel: any Channel) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(response) else { return }
        var buffer = channel.allocator.buffer(capacity: data.count + 1)
        buffer.writeBytes(data)
        buffer.writeString("\n")
        channel.writeAndFlush(buffer, promise: nil)
    }
}

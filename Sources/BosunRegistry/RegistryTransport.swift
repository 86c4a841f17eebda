/// One HTTP exchange with a registry, the seam under `RegistryClient`: the real one is `HTTPTransport`
/// (async-http-client); tests and later planner/agent code can put a fake behind the same protocol.
public protocol RegistryTransport: Sendable {
    /// Sends `request`, following redirects (and dropping `Authorization` when a redirect leaves the host).
    /// Throws only when no response arrived (network, TLS); every HTTP status is a response.
    func send(_ request: RegistryRequest) async throws -> RegistryResponse
    /// Releases connections; the transport is unusable afterwards.
    func shutdown() async
}

/// An HTTP request to a registry or token service.
public struct RegistryRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]

    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = []) {
        self.method = method
        self.url = url
        self.headers = headers
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// A response whose body arrives in chunks.
public struct RegistryResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: ResponseBody

    public init(status: Int, headers: [(name: String, value: String)] = [], body: ResponseBody = ResponseBody(chunks: [])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of header `name` (case-insensitive).
    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}

/// A response body: chunks of bytes, read once.
public struct ResponseBody: AsyncSequence, Sendable {
    /// Chunks of the body.
    public typealias Element = [UInt8]

    /// Yields the next chunk; nil at the end.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let nextChunk: () async throws -> [UInt8]?
        public mutating func next() async throws -> [UInt8]? { try await nextChunk() }
    }

    let makeIterator: @Sendable () -> AsyncIterator

    public init(makeIterator: @escaping @Sendable () -> AsyncIterator) { self.makeIterator = makeIterator }

    public init(makeNext: @escaping @Sendable () -> (() async throws -> [UInt8]?)) {
        self.makeIterator = { AsyncIterator(nextChunk: makeNext()) }
    }

    /// A body held in memory (for fakes).
    public init(chunks: [[UInt8]]) {
        self.init(makeNext: {
            var remaining = chunks[...]
            return { remaining.popFirst() }
        })
    }

    public func makeAsyncIterator() -> AsyncIterator { makeIterator() }

    /// The whole body, or nil when it is longer than `limit` bytes (reading stops there).
    public func collect(limit: Int) async throws -> [UInt8]? {
        var out: [UInt8] = []
        for try await chunk in self {
            guard out.count + chunk.count <= limit else { return nil }
            out += chunk
        }
        return out
    }
}

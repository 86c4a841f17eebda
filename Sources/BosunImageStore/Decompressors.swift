public import BosunArchive
import CZlib
import CZstd

/// Inflates a gzip stream (several members allowed, as `gzip` writes them) from another source.
public struct GzipByteSource<Upstream: ByteSource>: ByteSource {
    var upstream: Upstream
    let stream: UnsafeMutablePointer<z_stream>
    var input: [UInt8] = []
    var inputOffset = 0
    var inputEnd = false
    var finished = false
    /// True between gzip members: the end of input there is the end of the stream, not a cut.
    var atMemberBoundary = false

    public init(_ upstream: Upstream) throws(TarError) {
        self.upstream = upstream
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 32: a zlib or gzip header, detected.
        guard inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw TarError("cannot start gzip decompression")
        }
    }

    /// Frees zlib's state; call when done (sources are values, so this is not a deinit).
    public func close() {
        inflateEnd(stream)
        stream.deallocate()
    }

    public mutating func read(maximum: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(1, maximum))
        while !finished {
            if inputOffset == input.count && !inputEnd {
                input = try upstream.read(maximum: 1 << 16)
                inputOffset = 0
                if input.isEmpty { inputEnd = true }
            }
            if atMemberBoundary && inputEnd && inputOffset == input.count {
                finished = true
                break
            }
            var produced = 0
            var status: Int32 = Z_OK
            let offset = inputOffset
            let z = stream
            input.withUnsafeBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    z.pointee.next_in = inBuffer.baseAddress.map { UnsafeMutablePointer(mutating: $0) + offset }
                    z.pointee.avail_in = UInt32(inBuffer.count - offset)
                    z.pointee.next_out = outBuffer.baseAddress
                    z.pointee.avail_out = UInt32(outBuffer.count)
                    status = inflate(z, Z_NO_FLUSH)
                    produced = outBuffer.count - Int(z.pointee.avail_out)
                }
            }
            // zlib's pointers into `input` are only valid inside the closure: keep the offset instead.
            let consumed = input.count - Int(stream.pointee.avail_in) - offset
            inputOffset = input.count - Int(stream.pointee.avail_in)
            if consumed > 0 { atMemberBoundary = false }
            stream.pointee.avail_in = 0
            stream.pointee.next_in = nil
            switch status {
            case Z_STREAM_END:
                // Another gzip member may follow.
                if inputOffset == input.count && inputEnd {
                    finished = true
                } else {
                    inflateReset(stream)
                    atMemberBoundary = true
                }
            case Z_OK, Z_BUF_ERROR:
                if produced == 0 && inputEnd && inputOffset == input.count {
                    throw TarError("the gzip stream ends early")
                }
            default:
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? String(cString: zError(status))
                throw TarError("the gzip stream is damaged (\(detail))")
            }
            if produced > 0 { return Array(output.prefix(produced)) }
        }
        return []
    }
}

/// Decompresses a zstd stream from another source.
public struct ZstdByteSource<Upstream: ByteSource>: ByteSource {
    var upstream: Upstream
    let stream: OpaquePointer
    var input: [UInt8] = []
    var inputOffset = 0
    var inputEnd = false
    var lastResult = 0

    public init(_ upstream: Upstream) throws(TarError) {
        self.upstream = upstream
        guard let stream = ZSTD_createDStream() else { throw TarError("cannot start zstd decompression") }
        self.stream = stream
        ZSTD_initDStream(stream)
    }

    public func close() { ZSTD_freeDStream(stream) }

    public mutating func read(maximum: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(1, maximum))
        while true {
            if inputOffset == input.count && !inputEnd {
                input = try upstream.read(maximum: 1 << 16)
                inputOffset = 0
                if input.isEmpty { inputEnd = true }
            }
            if inputOffset == input.count && inputEnd {
                if lastResult != 0 { throw TarError("the zstd stream ends early") }
                return []
            }
            var produced = 0
            var consumed = 0
            var result = 0
            let stream = self.stream
            let inputOffset = self.inputOffset
            input.withUnsafeBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    var inDesc = ZSTD_inBuffer(src: inBuffer.baseAddress, size: inBuffer.count, pos: inputOffset)
                    var outDesc = ZSTD_outBuffer(dst: outBuffer.baseAddress, size: outBuffer.count, pos: 0)
                    result = ZSTD_decompressStream(stream, &outDesc, &inDesc)
                    produced = outDesc.pos
                    consumed = inDesc.pos
                }
            }
            if ZSTD_isError(result) != 0 {
                throw TarError("the zstd stream is damaged (\(String(cString: ZSTD_getErrorName(result))))")
            }
            self.inputOffset = consumed
            lastResult = result
            if produced > 0 { return Array(output.prefix(produced)) }
        }
    }
}

import CNftables
import Foundation
import Synchronization

/// Runs nftables scripts: the kernel boundary of the NAT layer, with a libnftables implementation and a
/// recording fake for tests. A script is applied as one transaction: all of it or nothing.
protocol NftablesRunner: Sendable {
    /// Applies `script` (nft syntax) atomically and returns its output.
    @discardableResult func run(_ script: String, what: String) throws(NetworkError) -> String
    /// `list table ip bosun` as JSON, or nil when the table does not exist.
    func listTableJSON(_ table: String) throws(NetworkError) -> String?
}

/// libnftables, one context guarded by a lock (a context is not thread-safe).
final class LibNftables: NftablesRunner, Sendable {
    private let context: Mutex<Context>

    private struct Context: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    init() throws(NetworkError) {
        guard let ctx = nft_ctx_new(UInt32(NFT_CTX_DEFAULT)) else {
            throw NetworkError(.nftables, "create a libnftables context")
        }
        nft_ctx_buffer_output(ctx)
        nft_ctx_buffer_error(ctx)
        context = Mutex(Context(pointer: ctx))
    }

    deinit { context.withLock { nft_ctx_free($0.pointer) } }

    func run(_ script: String, what: String) throws(NetworkError) -> String {
        try context.withLock { ctx throws(NetworkError) -> String in
            nft_ctx_output_set_flags(ctx.pointer, 0)
            return try Self.execute(ctx.pointer, script, what: what)
        }
    }

    func listTableJSON(_ table: String) throws(NetworkError) -> String? {
        try context.withLock { ctx throws(NetworkError) -> String? in
            nft_ctx_output_set_flags(ctx.pointer, UInt32(NFT_CTX_OUTPUT_JSON) | UInt32(NFT_CTX_OUTPUT_HANDLE))
            defer { nft_ctx_output_set_flags(ctx.pointer, 0) }
            do throws(NetworkError) {
                return try Self.execute(ctx.pointer, "list table \(table)", what: "list nftables table \(table)")
            } catch where error.message.contains("No such file") {
                return nil
            }
        }
    }

    private static func execute(_ ctx: OpaquePointer, _ script: String, what: String) throws(NetworkError) -> String {
        let status = nft_run_cmd_from_buffer(ctx, script)
        let output = nft_ctx_get_output_buffer(ctx).map { String(cString: $0) } ?? ""
        let errors = nft_ctx_get_error_buffer(ctx).map { String(cString: $0) } ?? ""
        guard status == 0 else {
            throw NetworkError(.nftables, "\(what): \(errors.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return output
    }
}

/// A fake runner that records scripts and keeps a listing to return.
final class RecordingNftables: NftablesRunner, Sendable {
    private let state = Mutex<(scripts: [String], listing: String?)>(([], nil))

    init() {}

    var scripts: [String] { state.withLock { $0.scripts } }
    func setListing(_ json: String?) { state.withLock { $0.listing = json } }

    func run(_ script: String, what: String) throws(NetworkError) -> String {
        state.withLock { $0.scripts.append(script) }
        return ""
    }

    func listTableJSON(_ table: String) throws(NetworkError) -> String? { state.withLock { $0.listing } }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import BosunLinux

/// Plain words for what went wrong under an HTTP request — `connection refused`, `the connection timed out`,
/// `the name does not resolve`, `the registry closed the connection` — instead of the description of NIO's or
/// async-http-client's error type (`connection reset (error set): Connection refused (errno: 111)`).
enum TransportFailure {
    /// What `error` means, in a few lower-case words.
    static func words(_ error: any Error) -> String {
        if let io = error as? IOError { return errnoWords(io.errnoCode) }
        if let connection = error as? NIOConnectionError {
            if let first = connection.connectionErrors.first { return words(first.error) }
            if connection.dnsAError != nil || connection.dnsAAAAError != nil { return "the name does not resolve" }
            return "the name has no address to connect to"
        }
        if error is SocketAddressError { return "the name does not resolve" }
        if let parser = error as? HTTPParserError {
            // llhttp's "stream ended at an unexpected time": the connection closed before the body was complete.
            return parser == .invalidEOFState ? "the registry closed the connection before the end" : "the registry's answer is not valid http (\(parser))"
        }
        if let channel = error as? ChannelError {
            switch channel {
            case .connectTimeout: return "the connection timed out"
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed: return "the connection was closed"
            default: return "\(channel)"
            }
        }
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout: return "the connection timed out"
            case .readTimeout: return "the registry stopped sending (read timeout)"
            case .writeTimeout: return "the registry stopped reading (write timeout)"
            case .deadlineExceeded: return "the request took too long"
            case .remoteConnectionClosed: return "the registry closed the connection before the end"
            case .cancelled: return "the request was cancelled"
            case .alreadyShutdown: return "the http client was shut down"
            case .invalidURL, .emptyHost, .emptyScheme: return "the registry address is not a valid url"
            default: return "\(client)"
            }
        }
        return "\(error)"
    }

    static func errnoWords(_ code: Int32) -> String {
        switch code {
        case ECONNREFUSED: return "connection refused"
        case ECONNRESET: return "the connection was reset"
        case ETIMEDOUT: return "the connection timed out"
        case EHOSTUNREACH: return "no route to host"
        case ENETUNREACH: return "the network is unreachable"
        case EPIPE: return "the connection was closed"
        case ECONNABORTED: return "the connection was aborted"
        default: return Errno.text(code).lowercased()
        }
    }
}

import Foundation

/// A throwaway CA (EC P-256) and one server certificate for a host name, made with the openssl CLI.
struct TestCertificateAuthority {
    let certificate: String
    let serverCertificate: String
    let serverKey: String

    init(directory: String, serverName: String) throws {
        certificate = "\(directory)/ca.pem"
        serverCertificate = "\(directory)/server.pem"
        serverKey = "\(directory)/server.key"
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Command.run("openssl", ["req", "-x509"] + ec + ["-keyout", "\(directory)/ca.key", "-out", certificate, "-days", "2", "-subj", "/CN=bosun test ca"])
        try Command.run("openssl", ["req"] + ec + ["-keyout", serverKey, "-out", "\(directory)/server.csr", "-subj", "/CN=\(serverName)"])
        try "subjectAltName=DNS:\(serverName)\nbasicConstraints=CA:FALSE\n".write(toFile: "\(directory)/server.ext", atomically: true, encoding: .utf8)
        try Command.run("openssl", [
            "x509", "-req", "-in", "\(directory)/server.csr", "-CA", certificate, "-CAkey", "\(directory)/ca.key",
            "-CAcreateserial", "-CAserial", "\(directory)/ca.srl", "-out", serverCertificate, "-days", "2",
            "-extfile", "\(directory)/server.ext",
        ])
    }
}

import Foundation

/// A test CA and a server certificate for `localhost` and 127.0.0.1, made with openssl.
struct TestPKI {
    let caCertificate: String
    let serverCertificate: String
    let serverKey: String

    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        caCertificate = directory + "/ca.crt"
        serverCertificate = directory + "/server.crt"
        serverKey = directory + "/server.key"
        let openssl = "/usr/bin/openssl"
        try TestTools.run(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                                    "-subj", "/CN=bosun test CA", "-keyout", directory + "/ca.key", "-out", caCertificate])
        try TestTools.run(openssl, ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                    "-subj", "/CN=localhost", "-keyout", serverKey, "-out", directory + "/server.csr"])
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: directory + "/ext.cnf", atomically: true, encoding: .utf8)
        try TestTools.run(openssl, ["x509", "-req", "-in", directory + "/server.csr", "-CA", caCertificate, "-CAkey", directory + "/ca.key",
                                    "-CAcreateserial", "-days", "2", "-extfile", directory + "/ext.cnf", "-out", serverCertificate])
    }
}

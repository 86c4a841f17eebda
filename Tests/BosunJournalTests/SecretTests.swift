import BosunJournal
import BosunModel
import BosunTestSupport
import Testing

@Suite("Secrets never reach the journal")
struct SecretTests {
    @Test("a planted secret value appears nowhere in the journal's bytes, yet equal values compare equal")
    func plantedSecret() throws {
        let secret = "planted-Secret-Value-7f3a"
        let storage = InMemoryJournalStorage()
        let journal = try JournalFixtures.journal(storage)
        let seq = try journal.begin(JournalFixtures.begin(round: 1, secret: secret))
        try journal.end(ConvergenceEnd(beginSeq: seq, outcome: .converged, durationMilliseconds: 1))
        _ = try journal.begin(JournalFixtures.begin(round: 2, secret: secret))
        let bytes = try storage.segmentNames().flatMap { try storage.read($0) }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.contains(secret))
        #expect(!text.contains("hunter2"))
        let redactor = SecretRedactor(salt: [1, 2, 3])
        #expect(text.contains(redactor.hash(secret)))
        #expect(redactor.hash(secret) != SecretRedactor(salt: [9]).hash(secret))
    }
}

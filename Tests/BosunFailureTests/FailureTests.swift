import BosunFailure
import Testing

/// The leaf error model: how a failure reads, and what a foreign error becomes.
@Suite("Failure")
struct FailureTests {
    struct Foreign: Error, CustomStringConvertible {
        var description: String { "connection reset by peer" }
    }

    struct Described: FailureDescribing {
        var failure: Failure { Failure(action: "pull", object: "localhost:5000/app:1", cause: "manifest unknown", handling: .fixInput) }
    }

    @Test("reads as action, object, cause and hint")
    func description() {
        let failure = Failure(action: "pull", object: "localhost:5000/app:1", cause: "manifest unknown", hint: "check the tag exists",
                              handling: .fixInput)
        #expect(failure.description == "pull localhost:5000/app:1: manifest unknown (hint: check the tag exists)")
        #expect(Failure(action: "", cause: "no journal", handling: .fixHost).description == "no journal")
    }

    @Test("an error of bosun's keeps its failure; a foreign one becomes a transient failure of the action")
    func describing() {
        #expect(Failure(describing: Described(), action: "converge").handling == .fixInput)
        let foreign = Failure(describing: Foreign(), action: "fetch the manifest")
        #expect(foreign == Failure(action: "fetch the manifest", cause: "connection reset by peer", handling: .retry))
    }

    @Test("handling has a stable name and says what happens next")
    func handling() {
        #expect(Failure.Handling.allCases.map(\.rawValue) == ["retry", "fix-input", "fix-host"])
        #expect(Failure.Handling.allCases.allSatisfy { !$0.explanation.isEmpty })
    }
}

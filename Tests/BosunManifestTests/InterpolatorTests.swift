import BosunManifest
import Testing

@Suite("Interpolation")
struct InterpolatorTests {
    let interpolator = Interpolator { ["SET": "value", "EMPTY": "", "PORT": "8080"][$0] }

    @Test("substitution rules", arguments: [
        ("${SET}", "value"), ("$SET", "value"), ("a-${SET}-b", "a-value-b"), ("$$SET", "$SET"), ("$${SET}", "${SET}"),
        ("${UNSET}", ""), ("${UNSET:-dflt}", "dflt"), ("${EMPTY:-dflt}", "dflt"), ("${EMPTY-dflt}", ""),
        ("${UNSET-dflt}", "dflt"), ("${SET:-dflt}", "value"), ("${SET:+alt}", "alt"), ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"), ("${UNSET+alt}", ""), ("${UNSET:-${PORT}}", "8080"), ("${UNSET:-${ALSO:-deep}}", "deep"),
        ("no dollars", "no dollars"), ("price: 5$", "price: 5$"), ("${SET:?must}", "value"),
    ])
    func rules(input: String, output: String) throws {
        #expect(try interpolator.interpolate(input) == output)
    }

    @Test("required variables fail with the given message")
    func required() throws {
        #expect(throws: Interpolator.Failure.self) { try interpolator.interpolate("${UNSET:?set it}") }
        #expect(throws: Interpolator.Failure.self) { try interpolator.interpolate("${EMPTY:?}") }
        #expect(throws: Interpolator.Failure.self) { try interpolator.interpolate("${UNSET?}") }
        #expect(try interpolator.interpolate("${EMPTY?}") == "")
        do {
            _ = try interpolator.interpolate("${UNSET:?set the password}")
        } catch {
            #expect(error.message == "required variable UNSET is missing a value: set the password")
        }
    }

    @Test("malformed expressions are errors", arguments: ["${", "${SET", "${1X}", "${SET:x}", "${}", "$-"])
    func malformed(input: String) {
        #expect(throws: Interpolator.Failure.self) { try interpolator.interpolate(input) }
    }
}

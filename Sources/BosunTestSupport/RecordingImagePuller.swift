public import BosunRegistry
public import BosunModel
import Synchronization

/// An `ImagePuller` for planner and agent tests: answers from a table and records what was asked.
public final class RecordingImagePuller: ImagePuller {
    private let state: Mutex<(answers: [String: Result<PulledImage, RegistryError>], pulls: [ImageReference])>

    /// `answers` by reference description (`docker.io/library/nginx:latest`).
    public init(answers: [String: Result<PulledImage, RegistryError>] = [:]) {
        state = Mutex((answers: answers, pulls: []))
    }

    public func setAnswer(_ answer: Result<PulledImage, RegistryError>, for reference: ImageReference) {
        state.withLock { $0.answers[reference.description] = answer }
    }

    /// Every reference pulled, in order.
    public var pulls: [ImageReference] { state.withLock { $0.pulls } }

    public func pull(_ reference: ImageReference, progress: PullProgressHandler?) async throws(RegistryError) -> PulledImage {
        let answer = state.withLock { state -> Result<PulledImage, RegistryError>? in
            state.pulls.append(reference)
            return state.answers[reference.description]
        }
        guard let answer else {
            throw RegistryError(.manifestUnknown, object: reference.description, reason: "manifest unknown", status: 404,
                                hint: "check the tag exists")
        }
        return try answer.get()
    }
}

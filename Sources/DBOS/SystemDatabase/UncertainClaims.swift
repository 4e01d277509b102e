import Foundation
import Synchronization

/// Queue claims that succeeded only after a retry, remembered for a while so that what an
/// earlier try of theirs took is not stranded.
///
/// A claim's owner token is chosen before its first try, and a retry first reads back the rows
/// already PENDING under it. That read-back cannot see a try the watchdog abandoned while the
/// server still ran it: its rows are locked (the retry's `SKIP LOCKED` passes over them) and
/// their commit may come later. Such rows end up PENDING under a token that belongs to this
/// process and this claim alone, with no execution here: stranded until the next launch. The
/// dispatcher therefore looks, for ``watchPeriod`` after such a claim, for rows PENDING under its
/// token that it has not started, and starts them.
final class UncertainClaims: Sendable {
    /// How long a retried claim's token is watched: well past the watchdog's longest attempt.
    static let watchPeriod = Duration.seconds(300)

    private struct Watched {
        var queueName: String
        /// The workflows of this claim that were handed to the dispatcher.
        var known: Set<String>
        var until: ContinuousClock.Instant
    }

    private let watched = Mutex<[String: Watched]>([:])

    /// Remembers a claim of `queueName` under `token` that needed more than one try, with the
    /// workflows it returned.
    func remember(token: String, queueName: String, returned: [String]) {
        watched.withLock {
            $0[token] = Watched(queueName: queueName, known: Set(returned), until: .now + Self.watchPeriod)
        }
    }

    /// The tokens of `queueName`'s watched claims (forgetting those past their period).
    func tokens(queueName: String) -> [String] {
        let now = ContinuousClock.now
        return watched.withLock { watched in
            guard !watched.isEmpty else { return [] }   // every dispatcher round asks: no work when nothing is watched
            watched = watched.filter { $0.value.until > now }
            return watched.filter { $0.value.queueName == queueName }.map(\.key)
        }
    }

    /// Of `found` (rows PENDING under watched tokens), those not handed out before; marks them handed out.
    func adopt(_ found: [ClaimedWorkflow]) -> [ClaimedWorkflow] {
        watched.withLock { watched in
            found.filter { workflow in
                guard var entry = watched[workflow.ownerXID], !entry.known.contains(workflow.workflowID) else { return false }
                entry.known.insert(workflow.workflowID)
                watched[workflow.ownerXID] = entry
                return true
            }
        }
    }
}

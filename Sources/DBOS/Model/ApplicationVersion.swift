public import Foundation

/// A version of the application registered in the system database (`application_versions`):
/// every runtime registers its ``DBOS/applicationVersion`` at launch, as DBOS Python does. The
/// latest is the one with the newest ``timestamp``; DBOS Python enqueues scheduled workflows
/// to it.
public struct ApplicationVersion: Sendable, Equatable, Codable {
    /// The row's ID.
    public var id: String
    /// The version's name (what workflows record as `application_version`).
    public var name: String
    /// When it became the latest (registration, or ``WorkflowManaging/setLatestApplicationVersion(_:)``).
    public var timestamp: Date
    /// When it was first registered.
    public var createdAt: Date
}

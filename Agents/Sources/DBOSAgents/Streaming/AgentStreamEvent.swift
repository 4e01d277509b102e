/// One value of an agent's stream: a token of a model turn, or the end of the run.
public struct AgentStreamEvent: Codable, Sendable, Equatable {
    /// `token` (a piece of a model turn's text) or `done` (the final answer).
    public var kind: String
    /// The model turn (1, 2, ...) the token belongs to.
    public var turn: Int
    /// The token's position in its turn (0, 1, ...). A model turn interrupted by a crash runs
    /// again and writes its tokens again from 0; readers skip the positions they already have.
    public var index: Int
    /// The token's text, or the final answer.
    public var text: String

    /// Creates an event.
    public init(kind: String, turn: Int, index: Int, text: String) {
        self.kind = kind
        self.turn = turn
        self.index = index
        self.text = text
    }

    /// A token of turn `turn`.
    public static func token(_ text: String, turn: Int, index: Int) -> AgentStreamEvent {
        AgentStreamEvent(kind: "token", turn: turn, index: index, text: text)
    }

    /// The run's final answer.
    public static func done(_ answer: String, turns: Int) -> AgentStreamEvent {
        AgentStreamEvent(kind: "done", turn: turns, index: 0, text: answer)
    }
}

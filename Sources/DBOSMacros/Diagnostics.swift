import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// A diagnostic produced by one of the DBOS macros.
struct DBOSMessage: DiagnosticMessage {
    let message: String
    let id: String
    let severity: DiagnosticSeverity

    var diagnosticID: MessageID { MessageID(domain: "DBOSMacros", id: id) }

    static func error(_ id: String, _ message: String) -> DBOSMessage {
        DBOSMessage(message: message, id: id, severity: .error)
    }

    static func warning(_ id: String, _ message: String) -> DBOSMessage {
        DBOSMessage(message: message, id: id, severity: .warning)
    }
}

/// A note attached to a DBOS macro diagnostic.
struct DBOSNote: NoteMessage {
    let message: String
    let id: String
    var noteID: MessageID { MessageID(domain: "DBOSMacros", id: id) }
}

/// A fix-it offered by a DBOS macro diagnostic.
struct DBOSFixIt: FixItMessage {
    let message: String
    let id: String
    var fixItID: MessageID { MessageID(domain: "DBOSMacros", id: id) }
}

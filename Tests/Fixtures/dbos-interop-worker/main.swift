// A Swift DBOS process for the interoperability checks with DBOS Python (scripts/interop/).
//
//   dbos-interop-worker serve  --database-url URL [--counter-file PATH] [--queue NAME]
//                              [--exit-after-seconds S] [--orders patched|as-named]
//   dbos-interop-worker client --database-url URL --queue NAME --workflow NAME
//                              [--args JSON_ARRAY] [--workflow-id ID] [--timeout S]
//                              [--debounce-key KEY --debounce-period S]
//
// serve: registers interopAdd(a, b), interopSummarize(label, counts), interopInbox(timeout)
// and interopSteps(count) (see InteropWorkflows.swift) and the queue `interop_queue`, prints
// READY once launched, and runs what other processes enqueue until SIGTERM/SIGINT.
// client: enqueues a workflow by name with DBOSClient (e.g. on a DBOS Python worker's queue)
// and prints `RESULT <json>` once it finished; with --debounce-key it debounces the workflow
// instead and prints `WORKFLOW <id>` without waiting.
// Exit status 1 with `error: ...` on stderr when something fails, 2 on a usage error.
import Foundation

let options = Options(CommandLine.arguments)
do {
    switch options.mode {
    case .serve: try await serve(options)
    case .client: try await runClient(options)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}

// The chaos test: a mixed workload over several worker processes while faults are injected,
// then a check of everything that must hold.
//
//   dbos-chaos run [--backend postgres|sqlite] [--workflows N] [--faults N] [--workers N]
//       starts its own PostgreSQL server (postgres backend) or SQLite file, enqueues N
//       `chaosOrder` workflows, runs the workers, and injects faults until every workflow is done
//       and at least --faults faults happened (more workflows are enqueued when needed):
//       SIGKILL of a random worker (restarted at once), PostgreSQL stopped with `-m fast` or
//       `-m immediate` for up to 2 s, and on SQLite another process holding the write lock
//       past the busy timeout (once per 40 faults). Prints
//       `faults N (kills K, postgres restarts R, lock holds L), workflows W, violations V`
//       last; exits non-zero when V > 0.
//   dbos-chaos worker --database-url URL --executor-id ID --ledger FILE
//       one worker (see ChaosWorker).
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

do {
    switch arguments.first {
    case "worker":
        try await ChaosWorker.run(databaseURL: option("--database-url") ?? "", executorID: option("--executor-id") ?? "worker")
    case "run":
        let settings = ChaosRun.Settings(
            postgres: (option("--backend") ?? "postgres") == "postgres",
            workflows: Int(option("--workflows") ?? "") ?? 30,
            minimumFaults: Int(option("--faults") ?? "") ?? 10,
            workers: Int(option("--workers") ?? "") ?? 3)
        let violations = try await ChaosRun(settings).run()
        exit(violations == 0 ? 0 : 1)
    default:
        FileHandle.standardError.write(Data("usage: dbos-chaos run [--backend postgres|sqlite] [--workflows N] [--faults N] [--workers N]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("dbos-chaos: \(error)\n".utf8))
    exit(1)
}

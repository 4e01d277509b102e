import Foundation

extension ChildProcess {
    /// Another process (python3's sqlite3) that takes the write lock of the SQLite file at `path`
    /// (`BEGIN IMMEDIATE`), holds it for `seconds`, commits and prints RELEASED. Returns once the
    /// lock is held.
    public static func holdSQLiteWriteLock(path: String, seconds: Int) async throws -> ChildProcess {
        let holder = try start(command: ["python3", "-c", """
            import sqlite3, sys, time
            connection = sqlite3.connect(sys.argv[1], isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            print("LOCKED", flush=True)
            time.sleep(int(sys.argv[2]))
            connection.execute("COMMIT")
            print("RELEASED", flush=True)
            """, path, String(seconds)])
        _ = try await holder.awaitMatch("LOCKED")
        return holder
    }
}

import Foundation

/// Appends one line per step body run, so a check can count how often each body ran.
struct CounterFile: Sendable {
    let path: String

    func append(_ line: String) {
        guard !path.isEmpty else { return }
        let handle = FileHandle(forWritingAtPath: path) ?? {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }()
        guard let handle else { return }
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
        try? handle.synchronize()
        try? handle.close()
    }
}

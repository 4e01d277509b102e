import Foundation

/// Writes one line to stdout at once (unbuffered), so a parent process sees it while we run.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

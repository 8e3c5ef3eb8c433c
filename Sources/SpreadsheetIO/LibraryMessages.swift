import Foundation

/// libxlsxwriter prints its warnings and errors (`[ERROR] workbook_close(): …`) straight to
/// standard error, and cannot be told not to. While a workbook is written, standard error goes to a
/// temporary file instead; Pathways says what went wrong in its own sentence, and anything else
/// that was printed meanwhile is passed on untouched.
public enum LibraryMessages {
    private static let lock = NSLock()
    /// Writers in progress (the drop folder writes several at once): the first redirects, the last restores.
    nonisolated(unsafe) private static var writers = 0
    nonisolated(unsafe) private static var savedStandardError: Int32 = -1
    nonisolated(unsafe) private static var capture: UnsafeMutablePointer<FILE>?

    public static func withheld<Result>(_ body: () throws -> Result) rethrows -> Result {
        begin()
        defer { end() }
        return try body()
    }

    private static func begin() {
        lock.withLock {
            writers += 1
            guard writers == 1, let file = tmpfile() else { return }
            fflush(nil)  // every stream, so nothing printed before is caught and nothing caught is left behind
            savedStandardError = dup(2)
            if savedStandardError >= 0, dup2(fileno(file), 2) >= 0 {
                capture = file
            } else {
                fclose(file)
            }
        }
    }

    private static func end() {
        lock.withLock {
            writers -= 1
            guard writers == 0, let file = capture else { return }
            fflush(nil)  // every stream, so nothing printed before is caught and nothing caught is left behind
            dup2(savedStandardError, 2)
            close(savedStandardError)
            capture = nil
            rewind(file)
            var others = ""
            var line: UnsafeMutablePointer<CChar>?
            var capacity = 0
            while getline(&line, &capacity, file) > 0, let line {
                let text = String(cString: line)
                if !text.hasPrefix("[ERROR]") && !text.hasPrefix("[WARNING]") { others += text }
            }
            free(line)
            fclose(file)
            if !others.isEmpty { FileHandle.standardError.write(Data(others.utf8)) }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The whole file's bytes; the file itself is only ever opened for reading.
func readWholeFile(_ path: String) throws(SpreadsheetError) -> [UInt8] {
    let name = fileName(of: path)
    let (descriptor, size) = try openForReading(path)
    defer { close(descriptor) }
    var failed = false
    // Uninitialised capacity: a ledger can be hundreds of megabytes, so it is not zero-filled first.
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        var filled = 0
        while filled < size {
            let count = read(descriptor, buffer.baseAddress! + filled, size - filled)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { failed = true; break }
            filled += count
        }
        initialized = filled
    }
    if failed {
        throw SpreadsheetError(.unreadableFile, file: name, "The file could not be read to the end; it may be on a disconnected drive or still being copied. Try again once it is complete.")
    }
    return bytes
}

/// The first bytes of a file, to tell what kind of file it is.
func readFileStart(_ path: String, count: Int) throws(SpreadsheetError) -> [UInt8] {
    let (descriptor, _) = try openForReading(path)
    defer { close(descriptor) }
    var bytes = [UInt8](repeating: 0, count: count)
    let got = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, count) }
    return Array(bytes.prefix(max(0, got)))
}

/// A read-only descriptor for a regular file, and its size.
private func openForReading(_ path: String) throws(SpreadsheetError) -> (descriptor: Int32, size: Int) {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw openError(path: path, errorNumber: errno) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
        let errorNumber = errno
        close(descriptor)
        throw openError(path: path, errorNumber: errorNumber)
    }
    if (status.st_mode & S_IFMT) == S_IFDIR {
        close(descriptor)
        throw openError(path: path, errorNumber: EISDIR)
    }
    return (descriptor, Int(status.st_size))
}

func openError(path: String, errorNumber: Int32) -> SpreadsheetError {
    let name = fileName(of: path)
    switch errorNumber {
    case ENOENT: return SpreadsheetError(.unreadableFile, file: name, "There is no file at \(path). Check the name and folder.")
    case EACCES, EPERM: return SpreadsheetError(.unreadableFile, file: name, "Pathways is not allowed to open this file. Ask whoever manages the folder to let Pathways read it.")
    case EISDIR: return SpreadsheetError(.unreadableFile, file: name, "This is a folder, not a file. Choose a workbook (.xlsx) or a CSV file inside it.")
    default: return SpreadsheetError(.unreadableFile, file: name, "The file could not be opened (\(String(cString: strerror(errorNumber)))).")
    }
}

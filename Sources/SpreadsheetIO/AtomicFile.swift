import Foundation

/// Writes a file through a temporary file beside it and a rename, so nobody ever opens a
/// half-written file, and a failed write leaves the old one as it was.
public enum AtomicFile {
    public struct RenameError: Error, CustomStringConvertible {
        public let target: URL
        /// Why the system refused, as `errno` said it.
        public var code: Int32 = 0
        public var description: String { "The finished file could not be put in place at \(target.path): \(AtomicFile.reason(errno: code))." }
    }

    /// Why a file could not be written or moved, for a finance officer rather than a programmer.
    public static func reason(errno code: Int32) -> String {
        switch code {
        case ENOSPC, EDQUOT: "the disk is full"
        case EROFS: "the folder is read-only"
        case EACCES, EPERM: "Pathways is not allowed to write there"
        case ENOENT, ENOTDIR: "the folder is not there"
        case EXDEV: "the folders are on different disks"
        default: String(cString: strerror(code))
        }
    }

    /// Where to write before `target` is put in place: a hidden file in the same folder, so the
    /// rename never crosses file systems.
    public static func temporaryURL(beside target: URL) -> URL {
        target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(getpid()).tmp")
    }

    /// Puts the finished `temporary` file in place of `target`, or removes it if that fails.
    public static func moveIntoPlace(_ temporary: URL, as target: URL) throws(RenameError) {
        guard rename(temporary.path, target.path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw RenameError(target: target, code: code)
        }
    }

    public static func write(_ data: Data, to url: URL) throws {
        let temporary = temporaryURL(beside: url)
        try data.write(to: temporary)
        try moveIntoPlace(temporary, as: url)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A rule set is every `.rules` file in a folder (not its subfolders), in name order; the order
/// of declarations across files does not matter.
public enum RuleSetFolder {
    /// Where every command looks for the rules unless told otherwise (`--rules DIR`).
    public static let defaultPath = "rules"

    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static func load(_ folder: String) throws(LoadError) -> [SourceFile] {
        guard let directory = opendir(folder) else {
            // A relative path is looked for from wherever the command was started, which a service may not make plain.
            var start = [CChar](repeating: 0, count: Int(PATH_MAX))
            let place = folder.hasPrefix("/") || getcwd(&start, start.count) == nil ? folder : "\(folder) (looked for in \(String(decoding: start.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)))"
            throw LoadError(description: errno == ENOTDIR
                ? "\(place) is a file, not a folder of rule files. Give the folder that holds the .rules files."
                : "There is no folder of rules at \(place). Give the folder that holds the .rules files, such as rules/.")
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".rules") && !name.hasPrefix(".") { names.append(name) }
        }
        guard !names.isEmpty else {
            throw LoadError(description: "The folder \(folder) has no .rules files. Rule files end in .rules, for example rules/management.rules.")
        }
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        return try names.sorted().map { name throws(LoadError) in try file(prefix + name) }
    }

    /// One rule file; its text must be UTF-8.
    public static func file(_ path: String) throws(LoadError) -> SourceFile {
        guard let handle = fopen(path, "rb") else {
            throw LoadError(description: "The rule file \(path) could not be opened.")
        }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&buffer, 1, buffer.count, handle)
            if count == 0 { break }
            bytes += buffer[0 ..< count]
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw LoadError(description: "The rule file \(path) is not saved as UTF-8 text. In your editor, save it with the encoding UTF-8.")
        }
        return SourceFile(path: path, text: text)
    }
}

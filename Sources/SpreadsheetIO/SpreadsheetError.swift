/// Why a file could not be read, in words a finance officer can act on.
public struct SpreadsheetError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case unreadableFile
        case notASpreadsheet
        case legacyExcel
        case passwordProtected
        case damaged
        case tooLarge
        case unsafeContent
    }

    public let kind: Kind
    /// The file's name as the finance officer saved it.
    public let file: String
    /// What is wrong and what to do, as whole sentences.
    public let message: String

    public init(_ kind: Kind, file: String, _ message: String) {
        self.kind = kind
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}

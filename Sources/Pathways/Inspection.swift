import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

/// What Pathways sees in a workbook: each sheet's header, columns with their types and
/// examples, the rows it left out, and the cells it could not read.
public struct Inspection: Codable, Sendable {
    public struct SheetReport: Codable, Sendable {
        public var name: String
        /// The file it is in, for a district's several files; nil for one workbook.
        public var file: String?
        public var kind: String
        public var visibility: String
        /// The header's row number, or nil when the sheet holds no data.
        public var headerRow: Int?
        public var dataRowCount: Int
        public var columns: [ColumnReport]
        public var skippedRows: [SheetLayout.SkippedRow]
        public var blankRowCount: Int
        public var dataErrors: [DataError]
        public var dataErrorCount: Int
    }

    public struct ColumnReport: Codable, Sendable {
        public var name: String
        /// The column's letter in the sheet, e.g. `M`.
        public var column: String
        public var type: ColumnType
        public var blankCount: Int
        public var examples: [String]
    }

    public var file: String
    public var format: ReadingNotes.Format
    public var encoding: String?
    public var delimiter: String?
    public var uses1904Dates: Bool
    public var remarks: [String]
    public var sheets: [SheetReport]
    /// How the rules split each table's account, when `inspect` is given rules.
    public var accountSplits: [AccountSplit] = []
    /// The files read, for a district's several files (a folder or a zip); empty for one workbook.
    public var files: [String] = []
    /// A preset or parameter that could not be used (`--preset texsa`, a Params sheet's), so the
    /// split shown is not the one asked for.
    public var paramProblems: [String] = []

    public static let exampleCount = 3

    /// With rules, also how they split each table's account into segments.
    public static func inspect(path: String, rules: CheckedRuleSet? = nil) throws(SpreadsheetError) -> Inspection {
        try inspect(paths: [path], rules: rules)
    }

    /// Several files, a folder or a zip, read as `pathways run` reads a district: one workbook.
    public static func inspect(paths: [String], rules: CheckedRuleSet? = nil, preset: String? = nil) throws(SpreadsheetError) -> Inspection {
        let workbook = try DistrictReader.read(paths: paths, name: RunJob.naming(paths).name)
        let sheets = workbook.sheets.map { sheet -> SheetReport in
            let reading = TableReader.read(sheet, of: workbook)
            let columns = reading.table.columns.map { column in
                ColumnReport(name: column.name, column: columnLetters(column.sourceColumn), type: column.type,
                             blankCount: column.blankCount, examples: examples(of: column))
            }
            return SheetReport(name: sheet.name, file: workbook.isDistrict ? workbook.input(of: sheet).file : nil, kind: sheet.kind.rawValue, visibility: sheet.visibility.rawValue,
                               headerRow: reading.layout.headerRow, dataRowCount: reading.table.rowCount,
                               columns: columns, skippedRows: reading.layout.skippedRows,
                               blankRowCount: reading.layout.blankRowCount,
                               dataErrors: reading.dataErrors.errors, dataErrorCount: reading.dataErrors.totalCount)
        }
        var inspection = Inspection(file: workbook.file, format: workbook.notes.format, encoding: workbook.notes.encoding,
                                    delimiter: workbook.notes.delimiter, uses1904Dates: workbook.notes.uses1904Dates,
                                    remarks: workbook.notes.remarks, sheets: sheets)
        if workbook.isDistrict { inspection.files = workbook.inputs.map(\.file) }
        if let rules {
            let params = ParamValues(rules: rules, workbook: workbook, commandLine: [:], preset: preset)
            inspection.accountSplits = AccountSplit.splits(of: workbook, rules: rules, params: params)
            inspection.paramProblems = params.problems
        }
        return inspection
    }

    /// The first few distinct values, as a finance officer would write them.
    static func examples(of column: Column) -> [String] {
        var seen: [String] = []
        for row in 0 ..< column.count {
            let value = column[row]
            if value == .blank { continue }
            let text = value.description
            if !seen.contains(text) { seen.append(text) }
            if seen.count == exampleCount { break }
        }
        return seen
    }
}

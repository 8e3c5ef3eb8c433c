import Dispatch
import Tabular

/// One sheet turned into a typed table, with everything a finance officer should know about
/// how it was read.
public struct SheetReading: Sendable {
    public let table: Table
    public let layout: SheetLayout
    public let dataErrors: DataErrorLog
}

/// Turns raw sheets into typed tables: finds the header and the data rows, decides each column's
/// type (inferred for now; declared by the rules later), and parses every cell into it.
public enum TableReader {
    /// Reads a sheet with inferred column types.
    public static func read(_ sheet: RawSheet, of workbook: RawWorkbook, errorCap: Int = DataErrorLog.defaultCap) -> SheetReading {
        let layout = SheetLayout.detect(sheet)
        let notes = workbook.input(of: sheet).notes
        let types = inferTypes(sheet, layout: layout, uses1904Dates: notes.uses1904Dates, decimalComma: notes.decimalComma)
        return read(sheet, of: workbook, layout: layout, types: types, errorCap: errorCap)
    }

    /// Each column's inferred type, in the order of `layout.columns`.
    public static func inferTypes(_ sheet: RawSheet, layout: SheetLayout, uses1904Dates: Bool, decimalComma: Bool = false) -> [ColumnType] {
        sheet.withView { view in
            layout.columns.map { column in
                TypeInference.infer(view, column: column.sourceColumn, header: column.name,
                                    rows: layout.dataRows, uses1904Dates: uses1904Dates, decimalComma: decimalComma)
            }
        }
    }

    /// Parses every data cell into the given column types; cells that do not fit are data errors.
    public static func read(_ sheet: RawSheet, of workbook: RawWorkbook, layout: SheetLayout, types: [ColumnType],
                            errorCap: Int = DataErrorLog.defaultCap) -> SheetReading {
        precondition(types.count == layout.columns.count, "one type per column")
        let columnCount = layout.columns.count
        // A district's files were each read their own way (one CSV with a decimal comma, one workbook with 1904 dates).
        let input = workbook.input(of: sheet)
        let results = ParallelSlots<(column: Column, errors: DataErrorLog)>(count: columnCount)
        defer { results.deallocate() }
        sheet.withView { view in
            let parser = CellParser(view: view, uses1904Dates: input.notes.uses1904Dates, decimalComma: input.notes.decimalComma)
            // Columns are independent, so they are typed in parallel, one per core.
            DispatchQueue.concurrentPerform(iterations: columnCount) { position in
                    let header = layout.columns[position]
                    var columnErrors = DataErrorLog(cap: errorCap)
                    var builder = ColumnBuilder(type: types[position], capacity: layout.dataRows.count)
                    for row in layout.dataRows {
                        let index = view.index(row: row, column: header.sourceColumn)
                        if case .failed(let reason) = parser.append(index, to: &builder) {
                            let origin = CellOrigin(file: input.file, sheet: sheet.name, row: row + 1, column: header.sourceColumn)
                            columnErrors.record(DataError(origin: origin, columnName: header.name,
                                                          rawText: sheet.displayText(row: row, column: header.sourceColumn), reason: reason))
                        }
                    }
                    results[position] = (builder.finish(name: header.name, sourceColumn: header.sourceColumn), columnErrors)
            }
        }
        let built = (0 ..< columnCount).map { results[$0]! }
        let errors = DataErrorLog.combining(built.map(\.errors) + [readingErrors(sheet, of: workbook, layout: layout, cap: errorCap)], cap: errorCap)
        let columns = built.map(\.column)
        let table = Table(file: input.file, sheet: sheet.name, columns: columns,
                          sourceRows: layout.dataRows.map { Int32($0 + 1) })
        return SheetReading(table: table, layout: layout, dataErrors: errors)
    }

    /// What the sheet could not hold as it was (see `RawSheet.problems`) and the lines whose
    /// fields do not match the header, as data errors of the table read from it.
    static func readingErrors(_ sheet: RawSheet, of workbook: RawWorkbook, layout: SheetLayout, cap: Int) -> DataErrorLog {
        var log = DataErrorLog(cap: cap)
        let input = workbook.input(of: sheet)
        func columnName(_ column: Int) -> String {
            layout.columns.first { $0.sourceColumn == column }?.name ?? columnLetters(column)
        }
        for problem in sheet.problems {
            log.record(DataError(origin: CellOrigin(file: input.file, sheet: sheet.name, row: problem.row, column: problem.column),
                                 columnName: columnName(problem.column), rawText: problem.text, reason: problem.reason))
        }
        for line in layout.misalignedRows {
            let row = line.row - 1
            let fields = (0 ..< min(line.fields, 12)).map { sheet.displayText(row: row, column: $0) }.joined(separator: input.notes.delimiter == "tab" ? "\t" : input.notes.delimiter ?? ",")
            let text = String(fields.prefix(80)) + (line.fields > 12 || fields.count > 80 ? "…" : "")
            let reason = line.fields > line.expected
                ? "has \(formatCount(line.fields)) fields where the header has \(formatCount(line.expected)), so from some point on its values would be one column off (a comma inside a value without quotation marks?). The row was left out of the review rather than read into the wrong columns; fix it in the export and run again."
                : "has \(formatCount(line.fields)) fields where the header has \(formatCount(line.expected)): the values it has were read into the first \(formatCount(line.fields)) columns and the rest left blank. Check the row in the export."
            let column = min(line.fields, line.expected)
            log.record(DataError(origin: CellOrigin(file: input.file, sheet: sheet.name, row: line.row, column: column),
                                 columnName: columnName(column), rawText: text, reason: reason))
        }
        return log
    }
}


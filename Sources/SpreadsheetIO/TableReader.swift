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
        let types = inferTypes(sheet, layout: layout, uses1904Dates: workbook.notes.uses1904Dates)
        return read(sheet, of: workbook, layout: layout, types: types, errorCap: errorCap)
    }

    /// Each column's inferred type, in the order of `layout.columns`.
    public static func inferTypes(_ sheet: RawSheet, layout: SheetLayout, uses1904Dates: Bool) -> [ColumnType] {
        sheet.withView { view in
            layout.columns.map { column in
                TypeInference.infer(view, column: column.sourceColumn, header: column.name,
                                    rows: layout.dataRows, uses1904Dates: uses1904Dates)
            }
        }
    }

    /// Parses every data cell into the given column types; cells that do not fit are data errors.
    public static func read(_ sheet: RawSheet, of workbook: RawWorkbook, layout: SheetLayout, types: [ColumnType],
                            errorCap: Int = DataErrorLog.defaultCap) -> SheetReading {
        precondition(types.count == layout.columns.count, "one type per column")
        let columnCount = layout.columns.count
        let results = ParallelSlots<(column: Column, errors: DataErrorLog)>(count: columnCount)
        defer { results.deallocate() }
        sheet.withView { view in
            let parser = CellParser(view: view, uses1904Dates: workbook.notes.uses1904Dates)
            // Columns are independent, so they are typed in parallel, one per core.
            DispatchQueue.concurrentPerform(iterations: columnCount) { position in
                    let header = layout.columns[position]
                    var columnErrors = DataErrorLog(cap: errorCap)
                    var builder = ColumnBuilder(type: types[position], capacity: layout.dataRows.count)
                    for row in layout.dataRows {
                        let index = view.index(row: row, column: header.sourceColumn)
                        if case .failed(let reason) = parser.append(index, to: &builder) {
                            let origin = CellOrigin(file: workbook.file, sheet: sheet.name, row: row + 1, column: header.sourceColumn)
                            columnErrors.record(DataError(origin: origin, columnName: header.name,
                                                          rawText: sheet.displayText(row: row, column: header.sourceColumn), reason: reason))
                        }
                    }
                    results[position] = (builder.finish(name: header.name, sourceColumn: header.sourceColumn), columnErrors)
            }
        }
        let built = (0 ..< columnCount).map { results[$0]! }
        let errors = DataErrorLog.combining(built.map(\.errors), cap: errorCap)
        let columns = built.map(\.column)
        let table = Table(file: workbook.file, sheet: sheet.name, columns: columns,
                          sourceRows: layout.dataRows.map { Int32($0 + 1) })
        return SheetReading(table: table, layout: layout, dataErrors: errors)
    }
}


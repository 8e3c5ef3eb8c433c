import FuzzSupport
import SpreadsheetIO

// Any bytes as a CSV file, then every sheet found in it as a table with inferred column types.
fuzz { bytes in
    guard let workbook = try? CSVReader.read(bytes: Array(bytes), fileName: "fuzz.csv") else { return }
    for sheet in workbook.sheets { _ = TableReader.read(sheet, of: workbook) }
}

import FuzzSupport
import SpreadsheetIO
#if canImport(Glibc)
import Glibc
#endif

// Any bytes as a file named .xlsx (libzip reads from a path), through the same door a dropped
// workbook takes, then every sheet as a table.
let path = "/dev/shm/pathways-fuzz-\(getpid()).xlsx"
fuzz { bytes in
    guard let file = fopen(path, "wb") else { return }
    if let base = bytes.baseAddress { fwrite(base, 1, bytes.count, file) }
    fclose(file)
    var limits = ReadingLimits()
    limits.maxTotalUncompressedBytes = 64 << 20
    limits.maxCellsPerSheet = 1_000_000
    guard let workbook = try? SpreadsheetReader.read(path: path, limits: limits) else { return }
    for sheet in workbook.sheets { _ = TableReader.read(sheet, of: workbook) }
}

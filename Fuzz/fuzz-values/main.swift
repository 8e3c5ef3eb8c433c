import FuzzSupport
import SpreadsheetIO
import Tabular

// Any bytes as a cell's text, read as each kind of value the readers know, and any eight bytes
// as a date serial of either date system.
fuzz { bytes in
    let text = UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count)
    _ = ValueText.numeric(text)
    _ = ValueText.money(text)
    _ = ValueText.number(text)
    _ = ValueText.percent(text)
    _ = ValueText.yesNo(text)
    _ = ValueText.date(text)
    if bytes.count >= 8 {
        let serial = bytes.loadUnaligned(as: Double.self)
        for uses1904 in [false, true] {
            if let date = ExcelDate.date(serial: serial, uses1904Dates: uses1904) { _ = ExcelDate.serial(of: date, uses1904Dates: uses1904) }
            _ = ExcelDate.isoText(serial: serial, format: NumberFormat.general, uses1904Dates: uses1904)
        }
    }
}

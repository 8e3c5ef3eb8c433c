// Reading benchmark: generates a district ledger of N rows × 13 columns as CSV and XLSX, and
// reads either into typed tables, printing rows per second and peak memory.
//
//   pathways-benchmark generate ROWS FOLDER
//   pathways-benchmark read FILE
//   pathways-benchmark rules RULES_FOLDER     (checking speed: the default rules, then files of 10,000 to 40,000 rules)
//   pathways-benchmark lsp RULES...           (pathways lsp over pipes: diagnostics after a change to a file of so many rules)
//   pathways-benchmark evaluate ROWS...       (evaluation alone: 14 rules, a view and an indicator over tables in memory)
//   pathways-benchmark windows ROWS...        (a split purchase found by windows of 14 days, against the same found by a
//                                               total per payment over the 14 days before it, each rule alone)
//   pathways-benchmark review FILE RULES OUT [EXTRA.rules...]
//                                             (end to end: read, evaluate, write the reviewed workbook; then the same
//                                               cells, formats and comments written straight through libxlsxwriter)
//   pathways-benchmark shape KIND ROWS FILE   (the ledger as a workbook of another shape: shared, inline, wide, narrow)
//   pathways-benchmark inflate FILE           (the floor of reading an XLSX: inflating its worksheets, nothing else)
//
// Run through Benchmarks/run, which builds in release mode, reads each file in a fresh process
// (so peak memory is the reader's alone) and times python-calamine on the same XLSX.

import CXlsxWriter
import CZip
import Foundation
import LanguageServer
import Reports
import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

/// A deterministic stream of pseudo-random numbers, so every run generates the same ledger.
struct SeededGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
}

let header = ["Posting Date", "Journal", "Account", "Fund", "Function", "Object", "Site", "Vendor",
              "Description", "PO Number", "Budget Owner", "Amount", "Invoice Date"]
let vendors = ["Acme School Supply", "Office Depot", "Staples Business", "Pearson Education", "Dell Marketing",
               "Sysco Food Services", "Apple Inc", "Scholastic Book Fairs", "Lakeshore Learning", "Grainger",
               "CDW Government", "Houghton Mifflin Harcourt", "Amazon Capital Services", "Texas Bus Sales", "Waste Management"]
let descriptions = ["Classroom supplies", "Copier paper", "Textbooks grade 4", "Laptops for lab", "Cafeteria food",
                    "Library books", "Custodial supplies", "Field trip bus", "Professional development", "Software licences",
                    "Science kits", "Band instruments repair", "Utilities - electric", "Substitute teacher", "Testing materials"]
let owners = ["M. Alvarez", "J. Chen", "P. Okafor", "S. Nguyen", "R. Patel", "L. Johnson", "K. Smith", "D. Garcia"]
let functions = ["11", "12", "13", "21", "23", "31", "33", "35", "36", "41", "51", "52", "53"]
let objects = ["6112", "6119", "6219", "6299", "6321", "6329", "6339", "6399", "6411", "6499", "6639"]

struct LedgerRow {
    var posted: CalendarDate
    var journal: String
    var account: String
    var fund: String
    var function: String
    var object: String
    var site: String
    var vendor: String
    var description: String
    var purchaseOrder: String
    var owner: String
    var amountCents: Int64
    var invoiced: CalendarDate
}

func ledgerRows(_ count: Int) -> AnySequence<LedgerRow> {
    AnySequence { () -> AnyIterator<LedgerRow> in
        var random = SeededGenerator(seed: 2025)
        let start = CalendarDate(year: 2024, month: 7, day: 1)!
        var index = 0
        return AnyIterator {
            guard index < count else { return nil }
            index += 1
            let day = random.next(365)
            let fund = ["199", "211", "224", "240", "599"][random.next(5)]
            let function = functions[random.next(functions.count)]
            let object = objects[random.next(objects.count)]
            let site = String(format: "%03d", 1 + random.next(14))
            var cents = Int64(random.next(2_500_000)) + 100
            if random.next(20) == 0 { cents = -cents }  // refunds and corrections
            return LedgerRow(
                posted: start.adding(days: day),
                journal: String(format: "JE-%06d", index),
                account: "\(fund)-\(function)-\(object)-00-\(site)",
                fund: fund, function: function, object: object, site: site,
                vendor: vendors[random.next(vendors.count)],
                description: descriptions[random.next(descriptions.count)] + " #\(random.next(500))",
                purchaseOrder: String(format: "PO25-%06d", random.next(200_000)),
                owner: owners[random.next(owners.count)],
                amountCents: cents,
                invoiced: start.adding(days: max(0, day - random.next(30))))
        }
    }
}

func centsText(_ cents: Int64) -> String {
    let sign = cents < 0 ? "-" : ""
    let magnitude = cents.magnitude
    let fraction = magnitude % 100
    return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

func writeCSV(rows: Int, to path: String) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    var buffer = header.joined(separator: ",") + "\n"
    for row in ledgerRows(rows) {
        let (y, m, d) = row.posted.components
        let (iy, im, id) = row.invoiced.components
        buffer += "\(m)/\(d)/\(y),\(row.journal),\(row.account),\(row.fund),\(row.function),\(row.object),\(row.site),"
        buffer += "\(row.vendor),\"\(row.description)\",\(row.purchaseOrder),\(row.owner),\(centsText(row.amountCents)),\(im)/\(id)/\(iy)\n"
        if buffer.utf8.count > 1 << 20 {
            handle.write(Data(buffer.utf8))
            buffer = ""
        }
    }
    handle.write(Data(buffer.utf8))
}

/// The ledger as Excel writes it (`sharedStrings`: every text once, in a table the cells point
/// into), or with each text in its own cell, as libxlsxwriter's constant-memory mode and many
/// exports write it (inline strings).
func writeXLSX(rows: Int, to path: String, sharedStrings: Bool = true) {
    var options = lxw_workbook_options(constant_memory: sharedStrings ? 0 : 1, tmpdir: nil, use_zip64: 1)
    let workbook = workbook_new_opt(path, &options)
    let sheet = workbook_add_worksheet(workbook, "Transactions")
    let bold = workbook_add_format(workbook)
    format_set_bold(bold)
    let dateFormat = workbook_add_format(workbook)
    format_set_num_format(dateFormat, "mm/dd/yyyy")
    let moneyFormat = workbook_add_format(workbook)
    format_set_num_format(moneyFormat, "#,##0.00")
    for (column, name) in header.enumerated() { worksheet_write_string(sheet, 0, lxw_col_t(column), name, bold) }
    var excelRow: lxw_row_t = 1
    for row in ledgerRows(rows) {
        let texts = [row.journal, row.account, row.fund, row.function, row.object, row.site, row.vendor,
                     row.description, row.purchaseOrder, row.owner]
        worksheet_write_number(sheet, excelRow, 0, Double(ExcelDate.serial(of: row.posted, uses1904Dates: false)), dateFormat)
        for (offset, text) in texts.enumerated() { worksheet_write_string(sheet, excelRow, lxw_col_t(1 + offset), text, nil) }
        worksheet_write_number(sheet, excelRow, 11, Double(row.amountCents) / 100, moneyFormat)
        worksheet_write_number(sheet, excelRow, 12, Double(ExcelDate.serial(of: row.invoiced, uses1904Dates: false)), dateFormat)
        excelRow += 1
    }
    let status = workbook_close(workbook)
    if status != LXW_NO_ERROR { fatalError("libxlsxwriter: \(String(cString: lxw_strerror(status)))") }
}

/// The ledger as a workbook of another shape, for the reading and writing floors:
/// `shared` and `inline`: one sheet of 13 columns, its texts in a shared table or in each cell;
/// `wide`: one sheet of 61 columns (the 13, then 48 more of numbers and codes), a quarter of the rows;
/// `narrow`: 25 sheets of 7 columns, the rows shared out among them, the first named Transactions.
func writeShapedXLSX(kind: String, rows: Int, to path: String) throws {
    guard ["shared", "inline", "wide", "narrow"].contains(kind) else { throw CocoaError(.featureUnsupported) }
    if kind == "shared" || kind == "inline" { return writeXLSX(rows: rows, to: path, sharedStrings: kind == "shared") }
    var options = lxw_workbook_options(constant_memory: 1, tmpdir: nil, use_zip64: 1)
    let workbook = workbook_new_opt(path, &options)
    let dateFormat = workbook_add_format(workbook)
    format_set_num_format(dateFormat, "mm/dd/yyyy")
    let moneyFormat = workbook_add_format(workbook)
    format_set_num_format(moneyFormat, "#,##0.00")
    let narrowHeader = ["Posting Date", "Journal", "Account", "Vendor", "Budget Owner", "Amount", "Invoice Date"]
    let sheetCount = kind == "narrow" ? 25 : 1
    let rowCount = kind == "wide" ? rows / 4 : rows
    var sheets: [UnsafeMutablePointer<lxw_worksheet>?] = []
    for index in 0 ..< sheetCount {
        let sheet = workbook_add_worksheet(workbook, index == 0 ? "Transactions" : "Transactions \(index + 1)")
        let names = kind == "narrow" ? narrowHeader : header + (1 ... 48).map { $0 % 2 == 0 ? "Measure \($0)" : "Code \($0)" }
        for (column, name) in names.enumerated() { worksheet_write_string(sheet, 0, lxw_col_t(column), name, nil) }
        sheets.append(sheet)
    }
    var nextRow = [lxw_row_t](repeating: 1, count: sheetCount)
    for (index, row) in ledgerRows(rowCount).enumerated() {
        let sheetIndex = index % sheetCount
        let sheet = sheets[sheetIndex], excelRow = nextRow[sheetIndex]
        nextRow[sheetIndex] += 1
        let posted = Double(ExcelDate.serial(of: row.posted, uses1904Dates: false))
        let invoiced = Double(ExcelDate.serial(of: row.invoiced, uses1904Dates: false))
        if kind == "narrow" {
            worksheet_write_number(sheet, excelRow, 0, posted, dateFormat)
            for (offset, text) in [row.journal, row.account, row.vendor, row.owner].enumerated() {
                worksheet_write_string(sheet, excelRow, lxw_col_t(1 + offset), text, nil)
            }
            worksheet_write_number(sheet, excelRow, 5, Double(row.amountCents) / 100, moneyFormat)
            worksheet_write_number(sheet, excelRow, 6, invoiced, dateFormat)
            continue
        }
        let texts = [row.journal, row.account, row.fund, row.function, row.object, row.site, row.vendor,
                     row.description, row.purchaseOrder, row.owner]
        worksheet_write_number(sheet, excelRow, 0, posted, dateFormat)
        for (offset, text) in texts.enumerated() { worksheet_write_string(sheet, excelRow, lxw_col_t(1 + offset), text, nil) }
        worksheet_write_number(sheet, excelRow, 11, Double(row.amountCents) / 100, moneyFormat)
        worksheet_write_number(sheet, excelRow, 12, invoiced, dateFormat)
        for extra in 0 ..< 48 {
            let column = lxw_col_t(13 + extra)
            if extra % 2 == 1 {
                worksheet_write_number(sheet, excelRow, column, Double((index * 31 + extra * 7) % 100_000) / 100, moneyFormat)
            } else {
                worksheet_write_string(sheet, excelRow, column, "C\((index + extra) % 997)", nil)
            }
        }
    }
    let status = workbook_close(workbook)
    if status != LXW_NO_ERROR { fatalError("libxlsxwriter: \(String(cString: lxw_strerror(status)))") }
}

/// The floor of reading an XLSX: every worksheet part inflated by libzip into a buffer and
/// dropped, nothing parsed. Median seconds of three, and the bytes of XML.
func inflateFloor(path: String) throws -> (seconds: Double, bytes: Int) {
    var times: [Double] = []
    var total = 0
    for _ in 0 ..< 3 {
        let start = DispatchTime.now()
        var error: Int32 = 0
        guard let archive = zip_open(path, ZIP_RDONLY, &error) else { throw CocoaError(.fileReadCorruptFile) }
        defer { zip_close(archive) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        total = 0
        for index in 0 ..< zip_uint64_t(zip_get_num_entries(archive, 0)) {
            guard let name = zip_get_name(archive, index, 0), String(cString: name).hasPrefix("xl/worksheets/sheet"),
                  let file = zip_fopen_index(archive, index, 0) else { continue }
            while true {
                let count = buffer.withUnsafeMutableBytes { zip_fread(file, $0.baseAddress, zip_uint64_t($0.count)) }
                if count <= 0 { break }
                total += Int(count)
            }
            zip_fclose(file)
        }
        times.append(seconds(since: start))
    }
    return (times.sorted()[1], total)
}

func peakMemoryMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // Linux reports kilobytes
}

func seconds(since start: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }

func read(path: String) throws {
    let start = DispatchTime.now()
    let workbook = try SpreadsheetReader.read(path: path)
    let cellSeconds = seconds(since: start)
    var rows = 0
    var errors = 0
    var total = Money.zero
    var layoutSeconds = 0.0, inferenceSeconds = 0.0, typingSeconds = 0.0
    var readings: [SheetReading] = []
    for sheet in workbook.sheets {
        var phase = DispatchTime.now()
        let layout = SheetLayout.detect(sheet)
        layoutSeconds += seconds(since: phase)
        phase = DispatchTime.now()
        let types = TableReader.inferTypes(sheet, layout: layout, uses1904Dates: workbook.notes.uses1904Dates)
        inferenceSeconds += seconds(since: phase)
        phase = DispatchTime.now()
        let reading = TableReader.read(sheet, of: workbook, layout: layout, types: types)
        typingSeconds += seconds(since: phase)
        readings.append(reading)
    }
    let totalSeconds = seconds(since: start)
    // Checked against the generator's own total, outside the timing.
    for reading in readings {
        rows += reading.table.rowCount
        errors += reading.dataErrors.totalCount
        if let amounts = reading.table.column(named: "Amount"), case .money(let values, _) = amounts.storage {
            total = try values.lazy.map { Money(scaled: $0) }.exactSum()
        }
    }
    let fileSize = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    let peak = peakMemoryMegabytes()
    print(String(format: "%@: %d rows in %.2f s = %.0f rows/s (cells %.2f s, layout %.2f s, inference %.2f s, typing %.2f s); peak memory %.0f MB = %.2f× the file (%.0f MB); %d data errors; Amount total %@",
                 (path as NSString).lastPathComponent, rows, totalSeconds, Double(rows) / totalSeconds,
                 cellSeconds, layoutSeconds, inferenceSeconds, typingSeconds,
                 peak, peak * 1_048_576 / Double(max(fileSize, 1)), Double(fileSize) / 1_048_576, errors, total.formatted))
}

/// A rule file of `count` rules of the kinds trainers write, over one table.
func generatedRuleFile(rules count: Int) -> String {
    var text = """
        table transactions "Transactions"
          column posted  date  "Posting Date"
          column account code  "Account"
            segments fund, function, object, site split by "-"
          column vendor  text  "Vendor"
          column owner   text  "Budget Owner" optional
          column amount  money "Amount"
        param approval_limit = $5,000
        param catch_all = ("890", "6399")
        pathway management "Management"

        """
    for index in 0 ..< count {
        switch index % 3 {
        case 0:
            text += """
                rule R-\(index) "Spending without an owner \(index)"
                  pathway management
                  severity error
                  for transactions
                  when owner is blank and amount > $\(index % 900 + 100) and object not in catch_all
                  flag owner
                  message "Nobody owns account {account}, so nobody answers for this {amount}."

                """
        case 1:
            text += """
                rule R-\(index) "Possible split purchase \(index)"
                  pathway management
                  severity warning
                  for transactions by vendor, WEEKNUM(posted)
                  when COUNT() >= 2 and MAX(amount) < approval_limit and SUM(amount) >= approval_limit
                  flag amount
                  message "{COUNT()} payments to {vendor} add up to {SUM(amount)}."

                """
        default:
            text += """
                rule R-\(index) "Large payment \(index)"
                  pathway management
                  severity info
                  for transactions
                  when amount > 3 * AVERAGE(amount where vendor = "Vendor \(index)") and LEFT(object, 2) = "63"
                  flag amount
                  message "{amount} to {vendor} is more than three times the average."

                """
        }
    }
    return text
}

/// Median seconds of `runs` checks of these files.
func medianCheckSeconds(_ files: [SourceFile], runs: Int) -> (Double, CheckResult) {
    var times: [Double] = []
    var result: CheckResult?
    for _ in 0 ..< runs {
        let start = DispatchTime.now()
        result = RuleChecker.check(files)
        times.append(seconds(since: start))
    }
    return (times.sorted()[runs / 2], result!)
}

func benchmarkRules(folder: String) throws {
    let defaults = try RuleSetFolder.load(folder)
    let (defaultSeconds, defaultResult) = medianCheckSeconds(defaults, runs: 21)
    print(String(format: "default rules (%d files, %d rules): checked in %.1f ms (median of 21), %d mistakes",
                 defaults.count, defaultResult.ruleSet?.rules.count ?? 0, defaultSeconds * 1000, defaultResult.report.errorCount))
    for count in [10_000, 20_000, 40_000] {
        let file = SourceFile(path: "generated.rules", text: generatedRuleFile(rules: count))
        var parseTimes: [Double] = []
        for _ in 0 ..< 5 {
            let parseStart = DispatchTime.now()
            _ = Parser.parse(file, fileIndex: 0)
            parseTimes.append(seconds(since: parseStart))
        }
        let (checkSeconds, result) = medianCheckSeconds([file], runs: 5)
        let formatStart = DispatchTime.now()
        _ = RuleFormatter.format(file)
        let formatSeconds = seconds(since: formatStart)
        print(String(format: "%d rules (%.1f MB): parsed in %.2f s, parsed and checked in %.2f s = %.0f rules/s, formatted in %.2f s (medians of 5); %d mistakes",
                     count, Double(file.text.utf8.count) / 1_048_576, parseTimes.sorted()[2], checkSeconds, Double(count) / checkSeconds,
                     formatSeconds, result.report.errorCount))
    }
}

/// `pathways lsp` as an editor uses it, over pipes: a rule file of `count` rules opened, then one
/// character changed; the time from the change to its diagnostics, median of `runs` changes.
func benchmarkLanguageServer(counts: [Int], runs: Int = 15) throws {
    // As `pathways lsp` does: a write to a closed pipe fails instead of ending the process.
    signal(SIGPIPE, SIG_IGN)
    for count in counts {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lsp-benchmark-\(count)")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = generatedRuleFile(rules: count)
        let uri = folder.appendingPathComponent("generated.rules").absoluteString
        try text.write(to: folder.appendingPathComponent("generated.rules"), atomically: true, encoding: .utf8)
        let toServer = Pipe(), fromServer = Pipe()
        let server = LanguageServer(input: toServer.fileHandleForReading, output: fromServer.fileHandleForWriting, rules: folder.path)
        let thread = Thread { _ = server.run() }
        thread.start()
        func send(_ object: [String: Any]) {
            var message = object
            message["jsonrpc"] = "2.0"
            let body = try! JSONSerialization.data(withJSONObject: message)
            toServer.fileHandleForWriting.write(Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
        }
        var buffer = Data()
        /// Reads messages until a publishDiagnostics arrives; how many diagnostics it had.
        func awaitDiagnostics() -> Int {
            while true {
                if let end = buffer.range(of: Data("\r\n\r\n".utf8)) {
                    let header = String(decoding: buffer[buffer.startIndex ..< end.lowerBound], as: UTF8.self)
                    let length = Int(header.replacingOccurrences(of: "Content-Length:", with: "").trimmingCharacters(in: .whitespaces)) ?? 0
                    if buffer.distance(from: end.upperBound, to: buffer.endIndex) >= length {
                        let bodyEnd = buffer.index(end.upperBound, offsetBy: length)
                        let message = try? JSONSerialization.jsonObject(with: buffer[end.upperBound ..< bodyEnd]) as? [String: Any]
                        buffer = Data(buffer[bodyEnd...])
                        if message?["method"] as? String == "textDocument/publishDiagnostics" {
                            return ((message?["params"] as? [String: Any])?["diagnostics"] as? [Any])?.count ?? 0
                        }
                        continue
                    }
                }
                buffer.append(fromServer.fileHandleForReading.availableData)
            }
        }
        send(["id": 1, "method": "initialize", "params": ["rootUri": folder.absoluteString, "capabilities": [:]] as [String: Any]])
        send(["method": "initialized", "params": [:] as [String: Any]])
        send(["method": "textDocument/didOpen", "params": ["textDocument": ["uri": uri, "languageId": "pathways-rules", "version": 1, "text": text]]])
        _ = awaitDiagnostics()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let firstMessage = lines.firstIndex { $0.hasPrefix("  message") }!
        /// The median time from a change to its diagnostics, over `runs` changes of one line, and
        /// how many diagnostics the last change gave.
        func timeChanges(line: Int, _ written: (Int) -> String) -> (median: Double, best: Double, shown: Int) {
            var times: [Double] = []
            var shown = 0
            for run in 0 ..< runs {
                // The editor sends what changed: the line, replaced (at the end, the first time, added).
                let end = line < lines.count - 1 ? line + 1 : (run == 0 ? line : line + 1)
                let range: [String: Any] = ["start": ["line": line, "character": 0], "end": ["line": end, "character": 0]]
                let start = DispatchTime.now()
                version += 1
                send(["method": "textDocument/didChange", "params": ["textDocument": ["uri": uri, "version": version], "contentChanges": [["range": range, "text": written(run) + "\n"]]] as [String: Any]])
                shown = awaitDiagnostics()
                times.append(seconds(since: start))
            }
            return (times.sorted()[runs / 2] * 1000, times.min()! * 1000, shown)
        }
        var version = 1
        // A trainer's keystrokes: a threshold changed at the end, a mistake every other time; then a
        // word typed in a message near the top and taken out again, which moves every declaration below it.
        let atEnd = timeChanges(line: lines.count - 1) { $0 % 2 == 0 ? "param typed = $1,00x \"A typo.\"" : "param typed = $1,000 \"Fine.\"" }
        let nearTop = timeChanges(line: firstMessage) { $0 % 2 == 0 ? String(lines[firstMessage]).replacingOccurrences(of: "Nobody", with: "No one") : String(lines[firstMessage]) }
        send(["id": 2, "method": "shutdown", "params": [:] as [String: Any]])
        send(["method": "exit", "params": [:] as [String: Any]])
        toServer.fileHandleForWriting.closeFile()
        while !thread.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        print(String(format: "%d rules (%.1f MB): diagnostics %.0f ms after a change at the end (best %.0f; the last showed %d), %.0f ms after one near the top (best %.0f; %d); medians of %d",
                     count, Double(text.utf8.count) / 1_048_576, atEnd.median, atEnd.best, atEnd.shown, nearTop.median, nearTop.best, nearTop.shown, runs))
    }
}

let evaluationRules = """
    table transactions "Transactions"
      column posted      date  "Posting Date"
      column journal     code  "Journal"
      column account     code  "Account"
        segments fund, function, object, program, site split by "-"
      column vendor      text  "Vendor"
      column description text "Description"
      column owner       text  "Budget Owner"
      column amount      money "Amount"
    table accounts "Budget"
      key code
      column code    code  "Account Code"
      column revised money "Revised Budget"
    table owners "Owners"
      key name
      column name   text   "Owner Name"
      column active yes/no "Active"
    table sites "Sites"
      key code
      column code       code   "Site Code"
      column enrollment number "Enrollment"
    param approval_limit = $24,000
    param catch_all = ("6399", "6499")
    pathway management "Management"
    rule R-01 "No owner"
      pathway management
      severity error
      for transactions
      when owner is blank
      flag owner
      message "Nobody owns {account}."
    rule R-02 "Needs approval"
      pathway management
      severity warning
      for transactions
      when amount >= approval_limit
      flag amount
      message "{amount} needs approval."
    rule R-03 "Catch-all object"
      pathway management
      severity info
      for transactions
      when object in catch_all and amount > $20,000
      flag account
      message "{amount} on {object}."
    rule R-04 "Possible split purchase"
      pathway management
      severity warning
      for transactions by vendor, WEEKNUM(posted)
      when COUNT() >= 2 and MAX(amount) < approval_limit and SUM(amount) >= approval_limit
      flag amount
      message "{COUNT()} payments to {vendor} add up to {SUM(amount)}."
    rule R-05 "Possible duplicate payment"
      pathway management
      severity warning
      for transactions by vendor, amount, posted
      when COUNT() >= 2
      flag amount
      message "{COUNT()} payments of {amount} to {vendor} on {posted}."
    rule R-06 "Account without a budget"
      pathway management
      severity error
      for transactions
      when LOOKUP(accounts.revised, account) is blank
      flag account
      message "{account} has no budget line."
    rule R-07 "Inactive owner"
      pathway management
      severity warning
      for transactions
      when LOOKUP(owners.active, owner) = no
      flag owner
      message "{owner} has left."
    rule R-08 "Overspent account"
      pathway management
      severity error
      for transactions by account
      when SUM(amount) > LOOKUP(accounts.revised, account)
      flag amount
      message "{account} spent {SUM(amount)} of {LOOKUP(accounts.revised, account)}."
    rule R-09 "Posted on a weekend"
      pathway management
      severity info
      for transactions
      when WEEKDAY(posted) in (1, 7)
      flag posted
      message "Posted on a weekend."
    rule R-10 "Round-dollar payment"
      pathway management
      severity info
      for transactions
      when amount >= $1,000 and ROUND(amount, -3) = amount
      flag amount
      message "{amount} is a round sum."
    rule R-11 "Unreadable description"
      pathway management
      severity info
      for transactions
      when LEN(description) < 15
      flag description
      message "Short description."
    rule R-12 "Unusually large payment"
      pathway management
      severity warning
      for transactions
      when amount > 3 * AVERAGE(amount)
      flag amount
      message "{amount} is three times the average."
    rule R-13 "Line over its whole budget"
      pathway management
      severity warning
      for transactions
      when amount > SUM(accounts.revised where accounts.code = account)
      flag amount
      message "{amount} is more than {account}'s budget."
    rule R-14 "Site over budget share"
      pathway management
      severity info
      for site_spending
      when per_pupil > $500
      flag per_pupil
      message "{site}: {per_pupil} per pupil."
    view site_spending "Spending by school"
      from transactions by site
      column spent      = SUM(amount)
      column enrollment = LOOKUP(sites.enrollment, site)
      column per_pupil  = spent / enrollment
      show
    indicator RE-1 "Even spending"
      pathway management
      measure CV(site_spending.per_pupil where site_spending.enrollment >= 100)
      exemplary when <= 0.10
      otherwise emerging
    """

/// The benchmark ledger as a workbook in memory, with budget, owner and site sheets to match.
/// Like a real ledger, few lines break a rule: about one in a hundred has no owner, an inactive
/// owner, a weekend date or an account without a budget.
func evaluationWorkbook(rows: Int) throws -> RawWorkbook {
    var ledger = "Posting Date,Journal,Account,Vendor,Description,Budget Owner,Amount\n"
    var accounts = Set<String>()
    for (index, row) in ledgerRows(rows).enumerated() {
        var posted = row.posted
        let weekday = ((Int(posted.daysSince1970) % 7) + 11) % 7  // 0 Sunday … 6 Saturday
        if (weekday == 0 || weekday == 6) && index % 100 != 0 { posted = posted.adding(days: weekday == 0 ? -2 : -1) }
        let (y, m, d) = posted.components
        let account = row.account.replacingOccurrences(of: "-00-", with: "-11-")
        accounts.insert(account)
        let owner = index % 100 == 7 ? "" : index % 100 == 42 ? "T. Former" : row.owner
        ledger += "\(y)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d),\(row.journal),\(account),\(row.vendor),\(row.description),\(owner),\(centsText(row.amountCents))\n"
    }
    // Budgets about 1.6 times each account's spending; every 50th account has half, every 100th none.
    let typical = max(1, rows / max(1, accounts.count)) * 12_500
    var budget = "Account Code,Revised Budget\n"
    for (index, account) in accounts.sorted().enumerated() where index % 100 != 0 {
        budget += "\(account),\(index % 50 == 0 ? typical / 2 : typical * 8 / 5)\n"
    }
    var ownerSheet = "Owner Name,Active\n"
    for owner in owners { ownerSheet += "\(owner),Yes\n" }
    ownerSheet += "T. Former,No\n"
    var sites = "Site Code,Enrollment\n"
    for site in 1 ... 14 { sites += String(format: "%03d,%d\n", site, 200 + site * 37) }
    let sheets = try [("Transactions", ledger), ("Budget", budget), ("Owners", ownerSheet), ("Sites", sites)].map { name, text in
        try CSVReader.read(bytes: Array(text.utf8), fileName: name + ".csv")
    }
    return RawWorkbook(file: "benchmark.xlsx", sheets: sheets.flatMap(\.sheets), notes: sheets[0].notes)
}

func benchmarkEvaluation(rowCounts: [Int]) throws {
    let check = RuleChecker.check([SourceFile(path: "benchmark.rules", text: evaluationRules)])
    guard let rules = check.ruleSet else {
        print(check.report.text)
        exit(1)
    }
    for rows in rowCounts {
        let (median, result) = medianOfThreeRuns(rules, on: WorkbookBinder.bind(try evaluationWorkbook(rows: rows), to: rules))
        let notAssessed = result.outcomes.filter { !$0.assessed }.map(\.rule)
        print(String(format: "%d rows: evaluated %d rules, a view and an indicator in %.2f s (median of 3) = %.0f rows/s; %d findings; RE-1 %@; not assessed: %@",
                     rows, rules.rules.count, median, Double(rows) / median, result.findings.count,
                     result.indicators.first?.value ?? "-", notAssessed.isEmpty ? "none" : notAssessed.joined(separator: ", ")))
    }
}

/// The median seconds of three evaluations of the rules on the workbook, and the evaluation.
func medianOfThreeRuns(_ rules: CheckedRuleSet, on binding: WorkbookBinding) -> (Double, Evaluation) {
    var times: [Double] = []
    var evaluation: Evaluation?
    for _ in 0 ..< 3 {
        let start = DispatchTime.now()
        evaluation = RuleRunner.run(rules, on: binding)
        times.append(seconds(since: start))
    }
    return (times.sorted()[1], evaluation!)
}

/// BO-5's shape two ways over the benchmark ledger (15 vendors, a year of days): windows of 14 days
/// per vendor, and a correlated total per payment. The second compares each distinct (vendor, date)
/// with every row, so it meets the bound on a rule's work long before a real ledger's size.
func benchmarkWindows(rowCounts: [Int]) throws {
    let table = """
        table transactions "Transactions"
          column posted  date  "Posting Date"
          column account code  "Account"
          column vendor  text  "Vendor"
          column amount  money "Amount"
          column approved_by text "Approved By" optional
        param approval_limit = $5,000
        pathway management "Management"

        """
    let rules = [
        ("windows of 14 days", """
            rule W-1 "Split purchase, windows"
              pathway management
              severity warning
              for transactions by vendor, FISCALYEAR(posted) within 14 days of posted
              where vendor is not blank and amount > 0 and amount < approval_limit
              when COUNT() >= 2 and SUM(amount) >= approval_limit
              flag amount
              message "{COUNT()} payments to {vendor} from {MIN(posted)} to {MAX(posted)} add up to {SUM(amount)}."
            """),
        // As rules/accountability.rules has it: this ledger says nothing of approvers, so IFBLANK
        // falls back, row by row, on the district's limit.
        ("BO-5 of the default rules", """
            table owners "Owners"
              key owner
              column owner          text  "Owner ID"
              column approval_limit money "Approval Limit" optional
            rule W-3 "Split purchase, as BO-5"
              pathway management
              severity warning
              for transactions by vendor, IFBLANK(approved_by, ""), FISCALYEAR(posted) within 14 days of posted
              where vendor is not blank and amount > 0 and amount < IFBLANK(LOOKUP(owners.approval_limit, approved_by), approval_limit)
              let limit = IFBLANK(LOOKUP(owners.approval_limit, IFBLANK(approved_by, "")), approval_limit)
              when COUNT() >= 2 and SUM(amount) >= limit
              flag amount
              message "{COUNT()} payments to {vendor} from {MIN(posted)} to {MAX(posted)} add up to {SUM(amount)}, each under {limit}."
            """),
        ("a total per payment", """
            rule W-2 "Split purchase, a total per payment"
              pathway management
              severity warning
              for transactions
              when amount > 0 and amount < approval_limit and SUM(transactions.amount where transactions.vendor = vendor and transactions.posted between posted - 13 and posted and transactions.amount > 0 and transactions.amount < approval_limit) >= approval_limit
              flag amount
              message "{amount} to {vendor}"
            """),
    ]
    for rows in rowCounts {
        let workbook = try evaluationWorkbook(rows: rows)
        for (name, rule) in rules {
            let check = RuleChecker.check([SourceFile(path: "windows.rules", text: table + rule)])
            guard let checked = check.ruleSet else {
                print(check.report.text)
                exit(1)
            }
            let (median, result) = medianOfThreeRuns(checked, on: WorkbookBinder.bind(workbook, to: checked))
            let flagged = Set(result.findings.flatMap(\.rows)).count
            let outcome = result.outcomes.first.map { $0.assessed ? "\(result.findings.count) findings on \(flagged) rows" : "not assessed: \($0.reason ?? "")" } ?? ""
            print(String(format: "%d rows, %@: %.3f s (median of 3); %@; peak memory %.0f MB", rows, name, median, outcome, peakMemoryMegabytes()))
        }
    }
}

/// Read, evaluate and write, each timed; then the bare libxlsxwriter floor for the same output.
func benchmarkReview(input: String, rulesFolder: String, output: String, extraRules: [String] = []) throws {
    let extra = try extraRules.map { SourceFile(path: $0, text: try String(contentsOfFile: $0, encoding: .utf8)) }
    let check = RuleChecker.check(try RuleSetFolder.load(rulesFolder) + extra)
    guard let rules = check.ruleSet else { print(check.report.text); exit(1) }
    var phase = DispatchTime.now()
    let workbook = try SpreadsheetReader.read(path: input)
    let readSeconds = seconds(since: phase)
    phase = DispatchTime.now()
    let binding = WorkbookBinder.bind(workbook, to: rules)
    let evaluation = RuleRunner.run(rules, on: binding)
    let evaluateSeconds = seconds(since: phase)
    phase = DispatchTime.now()
    let target = URL(fileURLWithPath: output).appendingPathComponent("review.reviewed.xlsx")
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    // Worst first, as `pathways run` shows them.
    let contents = ReviewContents(workbook: workbook, binding: binding, evaluation: evaluation, findings: evaluation.findings.sorted(by: Finding.worstFirst),
                                  notAssessed: [], ruleFiles: rules.files.map(\.path), ruleFingerprint: "benchmark",
                                  dataErrors: [], dataErrorCount: 0)
    try ReviewedWorkbook.write(contents, to: target)
    let writeSeconds = seconds(since: phase)
    let peak = peakMemoryMegabytes()
    let rows = binding.tables["transactions"]?.table.rowCount ?? 0
    let flaggedRows = Set(evaluation.findings.flatMap(\.rows)).count
    print(String(format: "pathways: %d rows, %d findings on %d rows (%.1f%%): read %.2f s, evaluate %.2f s, write %.2f s, total %.2f s; peak memory %.0f MB",
                 rows, evaluation.findings.count, flaggedRows, 100 * Double(flaggedRows) / Double(max(rows, 1)),
                 readSeconds, evaluateSeconds, writeSeconds, readSeconds + evaluateSeconds + writeSeconds, peak))
    let bareSeconds = try bareWrite(workbook: workbook, evaluation: evaluation, to: URL(fileURLWithPath: output).appendingPathComponent("bare.xlsx").path)
    print(String(format: "bare libxlsxwriter, the same cells, formats and comments: %.2f s; Pathways' write is %.2fx that, the whole review %.2fx",
                 bareSeconds, writeSeconds / bareSeconds, (readSeconds + evaluateSeconds + writeSeconds) / bareSeconds))
}

/// The floor: what Pathways writes of most size, written straight through libxlsxwriter in
/// constant-memory mode with no other work — the input's cells with the same number formats, the
/// flagged cells' fills and comments (as many as Pathways writes), each flagged row's rules in a
/// last column, and the Findings sheet's cells (links to the cells included).
func bareWrite(workbook: RawWorkbook, evaluation: Evaluation, to path: String) throws -> Double {
    // By sheet, then row, then column: (severity, comment); and by sheet, then row, the rules.
    var flagged: [String: [Int: [Int: (String, String)]]] = [:]
    var rulesOfRow: [String: [Int: [String]]] = [:]
    for finding in evaluation.findings {
        for address in finding.cells {
            guard let cell = CellOrigin(file: "", qualifiedAddress: address) else { continue }
            flagged[cell.sheet, default: [:]][cell.row, default: [:]][cell.column] = (finding.severity.rawValue, "\(finding.rule) \(finding.title): \(finding.message)")
            if !(rulesOfRow[cell.sheet]?[cell.row]?.contains(finding.rule) ?? false) { rulesOfRow[cell.sheet, default: [:]][cell.row, default: []].append(finding.rule) }
        }
    }
    var comments = 0
    let start = DispatchTime.now()
    var options = lxw_workbook_options(constant_memory: 1, tmpdir: nil, use_zip64: 1)
    let book = workbook_new_opt(path, &options)
    let date = workbook_add_format(book); format_set_num_format(date, "yyyy-mm-dd")
    let money = workbook_add_format(book); format_set_num_format(money, "_(* #,##0.00_);_(* (#,##0.00);_(* \"-\"??_);_(@_)")
    var fills: [String: UnsafeMutablePointer<lxw_format>] = [:]
    for (severity, colour) in [("error", 0xF6C6AD), ("warning", 0xFBE2A8), ("info", 0xC6E3F5)] {
        for (base, code) in [("", nil), ("date", "yyyy-mm-dd"), ("money", "_(* #,##0.00_);_(* (#,##0.00);_(* \"-\"??_);_(@_)")] as [(String, String?)] {
            let fill = workbook_add_format(book)!
            format_set_pattern(fill, UInt8(LXW_PATTERN_SOLID.rawValue))
            format_set_bg_color(fill, UInt32(colour))
            if let code { format_set_num_format(fill, code) }
            fills[severity + base] = fill
        }
    }
    for sheet in workbook.sheets {
        let worksheet = workbook_add_worksheet(book, sheet.name)
        for row in 0 ..< sheet.rowCount {
            let marks = flagged[sheet.name]?[row + 1]
            for column in 0 ..< sheet.width(ofRow: row) {
                let mark = marks?[column]
                switch sheet.cell(row: row, column: column) {
                case .number(let value, let format):
                    let base = format.isTemporal ? "date" : format.category == .number ? "money" : ""
                    let plain = base == "date" ? date : base == "money" ? money : nil
                    worksheet_write_number(worksheet, lxw_row_t(row), lxw_col_t(column), value, mark.map { fills[$0.0 + base]! } ?? plain)
                case .text(let ref):
                    worksheet_write_string(worksheet, lxw_row_t(row), lxw_col_t(column), sheet.text(ref), mark.map { fills[$0.0]! })
                default:
                    worksheet_write_string(worksheet, lxw_row_t(row), lxw_col_t(column), sheet.displayText(row: row, column: column), mark.map { fills[$0.0]! })
                }
                if let mark, comments < ReviewedWorkbook.defaultCommentLimit {
                    worksheet_write_comment(worksheet, lxw_row_t(row), lxw_col_t(column), mark.1)
                    comments += 1
                }
            }
            if let rules = rulesOfRow[sheet.name]?[row + 1] {
                worksheet_write_string(worksheet, lxw_row_t(row), lxw_col_t(sheet.width(ofRow: row)), rules.joined(separator: ", "), nil)
            }
        }
    }
    let findingsSheet = workbook_add_worksheet(book, "Findings")
    for (column, name) in ReviewedWorkbook.findingsHeaders.enumerated() { worksheet_write_string(findingsSheet, 0, lxw_col_t(column), name, nil) }
    // Each cell in the column Pathways puts it in, by its header.
    let column = Dictionary(uniqueKeysWithValues: ReviewedWorkbook.findingsHeaders.enumerated().map { ($1, lxw_col_t($0)) })
    for (index, finding) in evaluation.findings.enumerated() {
        let row = lxw_row_t(index + 1)
        for (header, text) in [("Severity", finding.severity.rawValue), ("Rule", finding.rule), ("Title", finding.title), ("Pathway", finding.pathway),
                               ("Sheet", finding.sheet), ("Message", finding.message), ("Fix", finding.fix ?? ""), ("Owner", finding.owner),
                               ("School", finding.school), ("Budget line", finding.accountDescription)] {
            if let text { worksheet_write_string(findingsSheet, row, column[header]!, text, nil) }
        }
        // As Pathways does: Excel allows 65,530 links on a sheet, so past them the address is text.
        if let address = finding.cells.first?.split(separator: "!").last.map(String.init) {
            if index < 65_530 {
                worksheet_write_url_opt(findingsSheet, row, column["Cell"]!, "internal:'\(finding.sheet)'!\(address)", nil, address, "Go to the cell")
            } else {
                worksheet_write_string(findingsSheet, row, column["Cell"]!, address, nil)
            }
        }
        worksheet_write_number(findingsSheet, row, column["Row"]!, Double(finding.rows.first ?? 0), nil)
        if let amount = finding.amount { worksheet_write_number(findingsSheet, row, column["Amount"]!, amount, money) }
    }
    let status = workbook_close(book)
    guard status == LXW_NO_ERROR else { throw CocoaError(.fileWriteUnknown) }
    return seconds(since: start)
}

let arguments = CommandLine.arguments
switch arguments.dropFirst().first {
case "generate" where arguments.count == 4:
    let rows = Int(arguments[2]) ?? 1_000_000
    let folder = arguments[3]
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try writeCSV(rows: rows, to: folder + "/ledger-\(rows).csv")
    writeXLSX(rows: rows, to: folder + "/ledger-\(rows).xlsx")
    writeXLSX(rows: rows, to: folder + "/ledger-\(rows)-inline.xlsx", sharedStrings: false)
    // The exact total, computed from the generator's own cents, for checking the readers.
    let cents = ledgerRows(rows).reduce(Int64(0)) { $0 + $1.amountCents }
    print("generated \(rows) rows in \(folder); Amount total \(Money(scaled: cents * 100).formatted)")
case "read" where arguments.count == 3:
    try read(path: arguments[2])
case "rules" where arguments.count == 3:
    try benchmarkRules(folder: arguments[2])
case "review" where arguments.count >= 5:
    try benchmarkReview(input: arguments[2], rulesFolder: arguments[3], output: arguments[4], extraRules: Array(arguments.dropFirst(5)))
case "shape" where arguments.count == 5:
    try writeShapedXLSX(kind: arguments[2], rows: Int(arguments[3]) ?? 1_000_000, to: arguments[4])
case "inflate" where arguments.count == 3:
    let (median, bytes) = try inflateFloor(path: arguments[2])
    print(String(format: "inflate: %@: %.0f MB of worksheet XML in %.2f s (median of 3)", (arguments[2] as NSString).lastPathComponent, Double(bytes) / 1_048_576, median))
case "evaluate" where arguments.count >= 3:
    try benchmarkEvaluation(rowCounts: arguments.dropFirst(2).compactMap { Int($0) })
case "lsp" where arguments.count >= 3:
    try benchmarkLanguageServer(counts: arguments.dropFirst(2).compactMap { Int($0) })
case "windows" where arguments.count >= 3:
    try benchmarkWindows(rowCounts: arguments.dropFirst(2).compactMap { Int($0) })
default:
    print("usage: pathways-benchmark generate ROWS FOLDER | read FILE | rules RULES_FOLDER | lsp RULES... | evaluate ROWS... | windows ROWS... | review FILE RULES OUT [EXTRA.rules...] | shape KIND ROWS FILE | inflate FILE")
    exit(2)
}

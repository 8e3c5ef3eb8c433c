import Foundation
import Testing
@testable import Pathways
import SpreadsheetIO
import Tabular

private let samples: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("workbooks/samples")
}()

@Suite struct InspectionTests {
    @Test func showsWhatPathwaysSeesInTheSampleGLExport() throws {
        let inspection = try Inspection.inspect(path: samples.appendingPathComponent("gl-detail.xlsx").path)
        #expect(inspection.format == .xlsx)
        #expect(inspection.sheets.map(\.name) == ["GL Detail", "Sites"])
        let ledger = inspection.sheets[0]
        #expect(ledger.headerRow == 5)
        #expect(ledger.dataRowCount == 180)
        #expect(ledger.columns.map(\.name) == ["Posting Date", "Journal", "Account", "Site", "Vendor", "Description", "Budget Owner", "Amount"])
        #expect(ledger.columns.map(\.type) == [.date, .code, .code, .code, .text, .text, .text, .money])
        #expect(ledger.columns[3].examples.allSatisfy { $0.count == 3 && $0.hasPrefix("0") }, "site codes keep their zeros")
        #expect(ledger.skippedRows.map(\.label) == ["Total Fund 199", "Grand Total"])
        #expect(ledger.dataErrorCount == 1)
        #expect(ledger.dataErrors.first?.origin.cellAddress == "H42")
        let sites = inspection.sheets[1]
        #expect(sites.columns.map(\.type) == [.code, .text, .number, .percent, .yesNo])
        #expect(sites.columns[3].examples.first == "68%")
    }

    @Test func theTextReportReadsForAFinanceOfficer() throws {
        let text = try Inspection.inspect(path: samples.appendingPathComponent("gl-detail.xlsx").path).text
        #expect(text.hasPrefix("gl-detail.xlsx: Excel workbook, 2 sheets\n"))
        #expect(text.contains("Sheet \"GL Detail\": header on row 5, 180 data rows"))
        #expect(text.contains("  H       Amount        money      1  $"), "the unreadable amount is blank, and counted")
        #expect(text.contains("Left out 2 total rows, which are sums of the data, not data:"))
        #expect(text.contains("    row 126: \"Total Fund 199\""))
        #expect(text.contains("    GL Detail, row 42, column Amount (H42): `12,5O0.00` is not an amount."))
    }

    @Test func aDirtyCSVSaysHowItWasRead() throws {
        let inspection = try Inspection.inspect(path: samples.appendingPathComponent("vendor-payments.csv").path)
        #expect(inspection.format == .csv)
        #expect(inspection.encoding == "Windows-1252")
        #expect(inspection.delimiter == ",")
        #expect(inspection.remarks.contains { $0.contains("Windows-1252") })
        let sheet = try #require(inspection.sheets.first)
        #expect(sheet.columns.first { $0.name == "Vendor" }?.examples.contains { $0.contains("’") || $0.contains("é") } == true)
        #expect(sheet.columns.first { $0.name == "Amount" }?.type == .money)
        #expect(sheet.columns.first { $0.name == "Check Date" }?.type == .date)
        #expect(inspection.text.contains("CSV text file, Windows-1252, separated by commas"))
    }

    @Test func theJSONReportCarriesTheSameFacts() throws {
        let inspection = try Inspection.inspect(path: samples.appendingPathComponent("gl-detail.xlsx").path)
        let data = try JSONEncoder().encode(inspection)
        let decoded = try JSONDecoder().decode(Inspection.self, from: data)
        #expect(decoded.sheets.first?.dataErrors.first?.rawText == "12,5O0.00")
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let sheets = try #require(object["sheets"] as? [[String: Any]])
        #expect(sheets.first?["headerRow"] as? Int == 5)
        #expect((sheets.first?["columns"] as? [[String: Any]])?.last?["type"] as? String == "money")
    }

    @Test func anUnreadableFileIsASentenceNotACrash() {
        #expect(throws: SpreadsheetError.self) { try Inspection.inspect(path: samples.appendingPathComponent("make_samples.py").path + ".missing") }
    }
}

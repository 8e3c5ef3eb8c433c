import Foundation
import Tabular

/// Reads a district's several files as one workbook: the files given, the spreadsheets of a
/// folder, or those inside a zip. Their sheets are pooled, so each table the rules read is found
/// in whichever file holds it, and every cell still leads back to its own file.
///
/// Nothing is extracted: a zip's files are inflated in memory, one at a time, and a zip whose
/// names point outside its own folders (`../`) is refused before anything is read.
public enum DistrictReader {
    /// The files a folder or a zip is read for.
    public static let spreadsheetExtensions: Set<String> = ["csv", "xlsx", "xlsm"]

    /// Files that are not a district's data: what Pathways writes itself (a reviewed workbook, the
    /// findings, an error note), what a program keeps beside a file it has open (`~$Budget.xlsx`,
    /// `.~lock.Budget.xlsx#`, `*.tmp`), and hidden files (`.DS_Store`).
    public static func isNotData(_ name: String) -> Bool {
        let lower = name.lowercased()
        return name.hasPrefix(".") || name.hasPrefix("~$") || lower.hasSuffix(".tmp") || name.hasSuffix("#")
            || [".reviewed.xlsx", ".findings.json", ".error.xlsx", ".error.txt"].contains { lower.hasSuffix($0) }
    }

    static func isSpreadsheet(_ name: String) -> Bool {
        spreadsheetExtensions.contains((name as NSString).pathExtension.lowercased()) && !isNotData(name)
    }

    /// Whether `path` names a folder.
    public static func isFolder(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// Reads `paths` as one district called `name`: each a spreadsheet file, a folder (the
    /// spreadsheets in it, not in its subfolders) or a zip of exports. One spreadsheet file is read
    /// as it always is, under its own name.
    public static func read(paths: [String], name: String, limits: ReadingLimits = ReadingLimits()) throws(SpreadsheetError) -> RawWorkbook {
        if paths.count == 1, !isFolder(paths[0]), !isZipOfFiles(paths[0]) {
            return try SpreadsheetReader.read(path: paths[0], limits: limits)
        }
        var files: [RawWorkbook] = []
        var remarks: [String] = []
        // The same file named twice (a folder and a file in it) is read once.
        var seen: Set<String> = []
        func count(_ more: Int) throws(SpreadsheetError) {
            if files.count + more > limits.maxFilesInDistrict {
                throw SpreadsheetError(.tooLarge, file: name,
                    "It holds more than \(formatCount(limits.maxFilesInDistrict)) spreadsheets, more than Pathways reviews as one district. Give it just the district's exports (the ledger, the budget, the list of schools).")
            }
        }
        for path in paths {
            let standard = URL(fileURLWithPath: path).standardizedFileURL.path
            if isFolder(path) {
                let (spreadsheets, others) = try contents(ofFolder: path)
                try count(spreadsheets.count)
                for file in spreadsheets where seen.insert(URL(fileURLWithPath: file).standardizedFileURL.path).inserted {
                    files.append(try SpreadsheetReader.read(path: file, limits: limits))
                }
                if spreadsheets.isEmpty {
                    throw SpreadsheetError(.notASpreadsheet, file: fileName(of: path),
                        "The folder holds no spreadsheets (.csv, .xlsx or .xlsm files)\(others.isEmpty ? "" : ", only \(list(others))"); the files in its subfolders are not read. Put the exports themselves in the folder.")
                }
                if !others.isEmpty { remarks.append("The folder \(fileName(of: path)) also holds \(list(others)), which \(others.count == 1 ? "is" : "are") not a spreadsheet file (.csv, .xlsx) and \(others.count == 1 ? "was" : "were") not reviewed.") }
            } else if seen.insert(standard).inserted {
                if isZipOfFiles(path) {
                    let (members, others) = try readZip(path, limits: limits, counting: count)
                    files += members
                    if !others.isEmpty { remarks.append("\(fileName(of: path)) also holds \(list(others)), which \(others.count == 1 ? "is" : "are") not a spreadsheet file (.csv, .xlsx) and \(others.count == 1 ? "was" : "were") not reviewed.") }
                } else {
                    try count(1)
                    files.append(try SpreadsheetReader.read(path: path, limits: limits))
                }
            }
        }
        return RawWorkbook(district: name, files: files, remarks: remarks)
    }

    /// `a.pdf`, `a.pdf and b.txt`, `a.pdf, b.txt and 3 other files`.
    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(3)
        let rest = names.count - shown.count
        let items = Array(shown) + (rest > 0 ? ["\(rest) other file\(rest == 1 ? "" : "s")"] : [])
        return items.count == 1 ? items[0] : items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    /// A folder's spreadsheets (paths, in name order) and the names of what else it holds, Pathways'
    /// own outputs and temporary files apart. Subfolders are not looked into.
    public static func contents(ofFolder path: String) throws(SpreadsheetError) -> (spreadsheets: [String], others: [String]) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw SpreadsheetError(.unreadableFile, file: fileName(of: path), "The folder could not be read; Pathways may not be allowed to open it.")
        }
        var spreadsheets: [String] = [], others: [String] = []
        for name in names.sorted(by: { $0.lowercased() < $1.lowercased() }) where !isNotData(name) {
            let file = (path as NSString).appendingPathComponent(name)
            if isSpreadsheet(name) && !isFolder(file) { spreadsheets.append(file) } else { others.append(isFolder(file) ? name + "/" : name) }
        }
        return (spreadsheets, others)
    }

    /// A zip of exports, as opposed to a workbook (which is a zip too) given the wrong name.
    static func isZipOfFiles(_ path: String) -> Bool {
        guard path.lowercased().hasSuffix(".zip"), !isFolder(path) else { return false }
        // A workbook renamed .zip has its package's list of contents: it is read as the workbook it is.
        guard let archive = try? ZipArchive(path: path, limits: ReadingLimits(), holds: .district) else { return true }
        return !archive.contains("[Content_Types].xml")
    }

    /// The spreadsheets inside a zip, each read from memory and named `springfield.zip/ledger.csv`,
    /// and the names of the other files it holds.
    static func readZip(_ path: String, limits: ReadingLimits, counting count: (Int) throws(SpreadsheetError) -> Void) throws(SpreadsheetError)
        -> (files: [RawWorkbook], others: [String]) {
        let zipName = fileName(of: path)
        let archive = try ZipArchive(path: path, limits: limits, holds: .district)
        // Nothing is ever extracted, but a name that climbs out of the zip's folders is made to
        // overwrite files where it is extracted: such a zip is not one a finance system made.
        if let unsafe = archive.names.first(where: isOutsideTheZip) {
            throw SpreadsheetError(.unsafeContent, file: zipName,
                "It holds a file named \"\(unsafe)\", a name that points outside the zip's own folders, as a zip made to overwrite files does. Pathways read nothing from it and wrote nothing. Make the zip again from the folder of exports.")
        }
        var spreadsheets: [String] = [], others: [String] = []
        for member in archive.names.sorted(by: { $0.lowercased() < $1.lowercased() }) {
            let parts = member.replacing("\\", with: "/").split(separator: "/").map(String.init)
            // Folders, a Mac's `__MACOSX/` copies, and hidden and temporary files are not the district's.
            guard let last = parts.last, !member.hasSuffix("/"), !member.hasSuffix("\\"),
                  !parts.contains(where: { $0 == "__MACOSX" || $0.hasPrefix(".") }), !isNotData(last) else { continue }
            if isSpreadsheet(last) { spreadsheets.append(member) } else { others.append(last) }
        }
        try count(spreadsheets.count)
        if spreadsheets.isEmpty {
            throw SpreadsheetError(.notASpreadsheet, file: zipName,
                "The zip holds no spreadsheets (.csv, .xlsx or .xlsm files)\(others.isEmpty ? "" : ", only \(list(others))"). Zip the exports themselves, or drop them as they are.")
        }
        // Sizes are checked from the zip's directory before anything is inflated, and counted
        // again as it is (a zip can lie about them).
        var total: Int64 = 0
        for member in spreadsheets {
            let (expanded, stored) = archive.sizes(of: member) ?? (0, 0)
            total += expanded
            if expanded > limits.maxBytesOfFileInZip || total > limits.maxTotalUncompressedBytes {
                let limit = expanded > limits.maxBytesOfFileInZip ? limits.maxBytesOfFileInZip : limits.maxTotalUncompressedBytes
                throw SpreadsheetError(.tooLarge, file: zipName, expanded > limits.maxBytesOfFileInZip
                    ? "Its file \(member) would expand to \(ZipArchive.size(expanded)) (\(ZipArchive.size(stored)) as stored), more than the \(ZipArchive.size(limit)) Pathways reads from one file in a zip, so nothing was read. If it is genuine, drop the files themselves, or as a folder."
                    : "Its files would expand to more than \(ZipArchive.size(limit)), more than Pathways reads as one district, so nothing was read. Zip only the exports to review.")
            }
        }
        var files: [RawWorkbook] = []
        for member in spreadsheets {
            let label = zipName + "/" + member.replacing("\\", with: "/")
            files.append(try SpreadsheetReader.read(bytes: try archive.contents(of: member), fileName: label, limits: limits))
        }
        return (files, others)
    }

    /// `../x.csv`, `/etc/x`, `C:\x`: a name that would land outside the folder a zip is extracted into.
    static func isOutsideTheZip(_ name: String) -> Bool {
        let path = name.replacing("\\", with: "/")
        if path.hasPrefix("/") || path.hasPrefix("~") { return true }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if let first = parts.first, first.count == 2, first.last == ":" { return true }
        return parts.contains("..")
    }
}

extension RawWorkbook {
    /// A district's files as one workbook called `name`: their sheets in order, each knowing its
    /// file. A sheet whose name another file's sheet has too (two exports' `Sheet1`) is reviewed
    /// as `Sheet1 (ledger.xlsx)`, and a remark says so. Each file's remarks name the file.
    public init(district name: String, files: [RawWorkbook], remarks: [String] = []) {
        var inputsOfName: [String: [Int]] = [:]
        for (index, file) in files.enumerated() {
            for sheet in file.sheets where inputsOfName[sheet.name.lowercased(), default: []].last != index {
                inputsOfName[sheet.name.lowercased(), default: []].append(index)
            }
        }
        var taken = Set(files.flatMap { $0.sheets.map { $0.name.lowercased() } })
        var sheets: [RawSheet] = []
        var inputs: [InputFile] = []
        var notes = ReadingNotes(format: files.first?.notes.format ?? .csv)
        var renamed: [String: [(file: String, as: String)]] = [:]
        for (index, file) in files.enumerated() {
            var names: [InputFile.Sheet] = []
            for var sheet in file.sheets {
                let original = sheet.name
                if (inputsOfName[original.lowercased()]?.count ?? 0) > 1 {
                    let base = "\(original) (\(fileName(of: file.file)))"
                    var candidate = base
                    var attempt = 1
                    while taken.contains(candidate.lowercased()) {
                        attempt += 1
                        candidate = "\(base) (\(attempt))"
                    }
                    taken.insert(candidate.lowercased())
                    sheet.name = candidate
                    renamed[original, default: []].append((file.file, candidate))
                }
                sheet.input = index
                names.append(InputFile.Sheet(name: original, reviewedAs: sheet.name))
                sheets.append(sheet)
            }
            inputs.append(InputFile(file: file.file, notes: file.notes, sheets: names))
            notes.remarks += file.notes.remarks.map { "\(file.file): \($0)" }
        }
        for (original, copies) in renamed.sorted(by: { $0.key < $1.key }) {
            notes.remarks.append("A sheet named \"\(original)\" is in \(copies.map(\.file).joined(separator: " and ")), so they are reviewed as "
                                 + copies.map { "\"\($0.as)\"" }.joined(separator: " and ") + ".")
        }
        notes.remarks += remarks
        self.init(file: name, sheets: sheets, notes: notes, inputs: inputs)
    }
}

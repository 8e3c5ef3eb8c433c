/// The structure of an XLSX package: where the workbook part is, its sheets in order with
/// their parts, and its shared strings and styles, all found through relationships rather than
/// assumed paths (producers put the workbook at `xl/workbook.xml`, `workbook.xml` or elsewhere).
struct XLSXPackage {
    struct SheetEntry {
        var name: String
        var kind: RawSheet.Kind
        var visibility: RawSheet.Visibility
        var part: String?
    }

    var workbookPart: String
    var sheets: [SheetEntry] = []
    var sharedStringsPart: String?
    var stylesPart: String?
    var uses1904Dates = false

    static func read(_ archive: ZipArchive) throws(SpreadsheetError) -> XLSXPackage {
        let workbookPart = try findWorkbookPart(archive)
        var package = XLSXPackage(workbookPart: workbookPart)
        let relationships = try readRelationships(of: workbookPart, in: archive)
        guard let stream = try archive.open(workbookPart) else {
            throw archive.damaged("its workbook part \(workbookPart) is missing")
        }
        let xml = XMLStream(stream, fileName: archive.fileName, chunkSize: 256 * 1024)
        while let token = try xml.next() {
            guard token.kind == .start || token.kind == .empty else { continue }
            if xml.matches(token.name, "workbookPr") {
                if let flag = try xml.attributeText("date1904", of: token) {
                    package.uses1904Dates = flag == "1" || flag.lowercased() == "true"
                }
            } else if xml.matches(token.name, "sheet") {
                let name = try xml.attributeText("name", of: token) ?? "Sheet\(package.sheets.count + 1)"
                let state = try xml.attributeText("state", of: token) ?? "visible"
                let id = try xml.attributeText("id", of: token)
                let relationship = id.flatMap { relationships[$0] }
                package.sheets.append(SheetEntry(
                    name: name,
                    kind: relationship.map { kind(ofType: $0.type) } ?? .worksheet,
                    visibility: state == "hidden" ? .hidden : state == "veryHidden" ? .veryHidden : .visible,
                    part: relationship?.target))
            }
        }
        for relationship in relationships.values {
            if relationship.type.hasSuffix("/sharedStrings") { package.sharedStringsPart = relationship.target }
            if relationship.type.hasSuffix("/styles") { package.stylesPart = relationship.target }
        }
        return package
    }

    private static func kind(ofType type: String) -> RawSheet.Kind {
        if type.hasSuffix("/chartsheet") { return .chartsheet }
        if type.hasSuffix("/dialogsheet") { return .dialogsheet }
        if type.hasSuffix("/xlMacrosheet") || type.hasSuffix("/macrosheet") { return .macrosheet }
        return .worksheet
    }

    /// The officeDocument relationship of `_rels/.rels`, or, when that part is missing or
    /// broken, the part `[Content_Types].xml` declares as the workbook.
    private static func findWorkbookPart(_ archive: ZipArchive) throws(SpreadsheetError) -> String {
        var relationships: [String: Relationship] = [:]
        do {
            relationships = try readRelationships(of: "", in: archive)
        } catch where error.kind == .unsafeContent {
            throw error
        } catch {
            // A broken _rels/.rels is survivable: [Content_Types].xml also names the workbook.
        }
        if let document = relationships.values.first(where: { $0.type.hasSuffix("/officeDocument") }),
           archive.contains(document.target) {
            return document.target
        }
        if let stream = try archive.open("[Content_Types].xml") {
            let xml = XMLStream(stream, fileName: archive.fileName, chunkSize: 64 * 1024)
            while let token = try? xml.next() {
                guard token.kind == .empty || token.kind == .start, xml.matches(token.name, "Override") else { continue }
                if let type = try xml.attributeText("ContentType", of: token), type.contains("sheet.main+xml"),
                   let part = try xml.attributeText("PartName", of: token), archive.contains(part) {
                    return resolve(part, relativeTo: "")
                }
            }
        }
        throw SpreadsheetError(.notASpreadsheet, file: archive.fileName,
            "This file is a zip archive but not an Excel workbook: it has no workbook inside. Open it in Excel and save it as .xlsx, or choose the right file.")
    }

    struct Relationship {
        var type: String
        var target: String
    }

    /// The relationships of a part, by id, with targets resolved to package paths.
    static func readRelationships(of part: String, in archive: ZipArchive) throws(SpreadsheetError) -> [String: Relationship] {
        let folder = part.contains("/") ? String(part[..<part.lastIndex(of: "/")!]) : ""
        let file = part.contains("/") ? String(part[part.index(after: part.lastIndex(of: "/")!)...]) : part
        let relationshipsPart = (folder.isEmpty ? "" : folder + "/") + "_rels/" + file + ".rels"
        guard let stream = try archive.open(relationshipsPart) else { return [:] }
        let xml = XMLStream(stream, fileName: archive.fileName, chunkSize: 64 * 1024)
        var relationships: [String: Relationship] = [:]
        while let token = try xml.next() {
            guard token.kind == .start || token.kind == .empty, xml.matches(token.name, "Relationship") else { continue }
            guard let id = try xml.attributeText("Id", of: token),
                  let target = try xml.attributeText("Target", of: token) else { continue }
            if try xml.attributeText("TargetMode", of: token) == "External" { continue }
            let type = try xml.attributeText("Type", of: token) ?? ""
            relationships[id] = Relationship(type: type, target: resolve(target, relativeTo: folder))
        }
        return relationships
    }

    /// A relationship target as a path from the package root.
    static func resolve(_ target: String, relativeTo folder: String) -> String {
        let target = target.replacing("\\", with: "/")
        var parts: [Substring] = target.hasPrefix("/") ? [] : folder.split(separator: "/")
        for component in target.split(separator: "/") {
            if component == ".." { _ = parts.popLast() } else if component != "." { parts.append(component) }
        }
        return parts.joined(separator: "/")
    }
}

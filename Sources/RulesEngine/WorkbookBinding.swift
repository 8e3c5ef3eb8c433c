import RulesLanguage
import SpreadsheetIO
import Tabular

/// A declared table found in a workbook: its typed rows, and where they came from.
public struct BoundTable: Sendable {
    public let declaration: TableDeclaration
    public let table: Table
    /// Declared column (and segment) names, lower-cased, to their position in `table.columns`.
    public let columnIndex: [String: Int]
    /// The header's row number as the sheet shows it.
    public let headerRow: Int
    public let layout: SheetLayout
    public let dataErrors: DataErrorLog
    /// Columns the sheet lacks, worked out from its others by their `or` formulas (lower-cased).
    /// Each points at the sheet column of its formula's first input, for cell addresses.
    public var workedOut: Set<String> = []

    public var sheet: String { table.sheet }

    public func column(_ name: String) -> Column? { columnIndex[name.lowercased()].map { table.columns[$0] } }

    /// Whether the column of this name is cut from an account string, rather than read from a
    /// column of its own: its cells are the account's.
    public func isCutSegment(_ name: String) -> Bool {
        guard let segment = column(name) else { return false }
        return declaration.columns.contains { split in
            split.segments.contains { $0.text.lowercased() == name.lowercased() } && column(split.name.text)?.sourceColumn == segment.sourceColumn
        }
    }
}

/// A sentence about binding, for the finance officer: why a table was not found or is ambiguous.
public struct BindingMessage: Sendable, Equatable, CustomStringConvertible {
    /// `note`: the table was found, but the reviewer should check on which sheet.
    public enum Kind: String, Sendable { case error, notAssessed, note }
    public let kind: Kind
    public let table: String
    public let message: String
    public let hint: String?
    /// For a note that some segments are missing from the accounts, their names: the note matters
    /// only if a rule that needs one was left unassessed.
    public var missingSegments: [String] = []

    public var description: String { message + (hint.map { " " + $0 } ?? "") }
}

/// The workbook's sheets matched to the rule set's tables.
public struct WorkbookBinding: Sendable {
    public var tables: [String: BoundTable] = [:]
    public var messages: [BindingMessage] = []

    /// A required table is missing, or a sheet matches ambiguously: the run cannot go on.
    public var errors: [BindingMessage] { messages.filter { $0.kind == .error } }
}

/// Finds each declared table in a workbook: by sheet-name hints first, otherwise the sheet whose
/// header row holds the table's required columns (case, spacing and punctuation ignored), then
/// reads it with the declared column types.
public enum WorkbookBinder {
    /// `params`: the run's values, for `account_layout` (the rules' own when nil).
    public static func bind(_ workbook: RawWorkbook, to rules: CheckedRuleSet, params: ParamValues? = nil) -> WorkbookBinding {
        let layout = (params ?? ParamValues(rules: rules, workbook: nil, commandLine: [:])).accountLayout
        var binding = WorkbookBinding()
        var partlessAccounts: [PartlessAccount] = []
        let sheets = workbook.sheets.filter { $0.kind == .worksheet && $0.rowCount > 0 }
        let candidateRows = sheets.map { SheetLayout.candidateHeaderRows($0) }
        for declaration in rules.tables {
            let name = declaration.name.text
            let title = declaration.title ?? name
            let required = declaration.columns.filter { !$0.isOptional }
            var matches: [SheetMatch] = []
            for (index, sheet) in sheets.enumerated() {
                matches.append(bestHeaderRow(of: declaration, in: candidateRows[index], sheet: index,
                                             hinted: declaration.sheetHints.contains { normalizedHeader($0) == normalizedHeader(sheet.name) }))
            }
            // A sheet is one table's: once bound, no other table is looked for on it. And a sheet
            // that shares one generic header with a table of several columns (a vendor list's
            // "Vendor" on the ledger) is not that table.
            let taken = Set(binding.tables.values.map(\.sheet))
            let enough = min(2, declaration.columns.count)
            let complete = matches.filter { $0.missing.isEmpty && !taken.contains(sheets[$0.sheet].name) && ($0.hinted || $0.matched >= enough) }
            let chosen: SheetMatch?
            if let hinted = complete.first(where: \.hinted) {
                chosen = hinted
            } else if let best = complete.max(by: { $0.matched < $1.matched }) {
                let rivals = complete.filter { $0.matched == best.matched }
                if rivals.count > 1 {
                    binding.messages.append(BindingMessage(
                        kind: .error, table: name,
                        message: "Two sheets could be the \(title) table: \(rivals.prefix(2).map { workbook.describe(sheets[$0.sheet]) }.joined(separator: " and ")).",
                        hint: "Add the right sheet's name to the table's `from sheet` line in \(place(declaration.name.span, in: rules)), or rename the other sheet."))
                    continue
                }
                chosen = best
            } else {
                chosen = nil
            }
            guard let chosen else {
                // A sheet that is another table's (the ledger, for a workbook of one sheet) is not
                // a near miss for this one: "add a budget column to the ledger" would mislead.
                // A table only other tables look into (the org codes) is missed by no rule.
                guard !rules.lookupOnlyTables.contains(name.lowercased()) else { continue }
                let nearMisses = matches.filter { $0.hinted || !taken.contains(sheets[$0.sheet].name) }
                binding.messages.append(missingTable(declaration, title: title, required: required, matches: nearMisses, sheets: sheets, of: workbook, rules: rules))
                continue
            }
            if let clash = chosen.clashes.first {
                // Two columns with one header: taking either would be a guess.
                let letters = clash.positions.map { columnLetters($0) }.joined(separator: " and ")
                binding.messages.append(BindingMessage(kind: declaration.isRequired ? .error : .notAssessed, table: name,
                    message: "Sheet \(workbook.describe(sheets[chosen.sheet])) has two columns headed \"\(clash.header)\" (\(letters)), so Pathways cannot tell which is `\(clash.column)` of the \(title) table.",
                    hint: "Rename one of them in the workbook. Until then, rules that need this table are not assessed."))
                continue
            }
            // A sheet taken for its name while another holds more of the table's columns (a "Ledger"
            // of monthly totals beside the real detail) is a choice the reviewer should see.
            if chosen.hinted, let better = complete.filter({ !$0.hinted && $0.matched > chosen.matched }).max(by: { $0.matched < $1.matched }) {
                binding.messages.append(BindingMessage(kind: .note, table: name,
                    message: "Sheet \(workbook.describe(sheets[chosen.sheet])) was taken as the \(title) table because of its name, but sheet \(workbook.describe(sheets[better.sheet])) has more of its columns (\(better.matched) against \(chosen.matched)).",
                    hint: "If \"\(sheets[better.sheet].name)\" is the \(title) table, rename the other sheet, or add \"\(sheets[better.sheet].name)\" to the table's `from sheet` line in \(place(declaration.name.span, in: rules)) and run again."))
            }
            let (bound, notes, partless) = read(declaration, from: sheets[chosen.sheet], headerRow: chosen.row, in: workbook, rules: rules,
                                                accountLayout: layout)
            binding.tables[name.lowercased()] = bound
            binding.messages += notes
            partlessAccounts += partless
            if bound.table.rowCount == 0 {
                binding.messages.append(BindingMessage(kind: .notAssessed, table: name,
                    message: "Sheet \(workbook.describe(sheets[chosen.sheet])) has the \(title) table's header but no rows under it, so there was nothing of it to review.",
                    hint: "Check that the export is not empty."))
            }
        }
        // Columns worked out from another table's row, once every table is bound.
        for (name, bound) in binding.tables {
            binding.tables[name] = workOut(bound, rules: rules, others: binding.tables.filter { $0.key != name })
        }
        binding.messages += unmatchedKeys(in: binding, workbook: workbook)
        // Segments no account has a part for, and no other table gave (a Munis org's function and
        // location come from the Org codes sheet): the rules that need them are not assessed.
        for account in partlessAccounts {
            guard let bound = binding.tables[account.table.lowercased()] else { continue }
            let missing = account.segments.filter { bound.column($0.name) == nil }
            guard let first = missing.first else { continue }
            let names = missing.map(\.name)
            let listed = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " or " + names.last!
            let them = names.count == 1 ? "it" : "them"
            // A segment another table could have given: say which, since that is the likelier gap.
            let lookups = Set(missing.compactMap { segment -> Set<String>? in
                guard let formula = bound.declaration.columns.first(where: { $0.name.text.lowercased() == segment.name.lowercased() })?.formula,
                      let input = formulaInputs(formula, of: bound.declaration).first, bound.column(input) != nil else { return nil }
                return tablesRead(by: formula)
            }.flatMap { $0 }).compactMap { table in rules.tables.first { $0.name.text.lowercased() == table }?.title ?? table }.sorted()
            binding.messages.append(BindingMessage(kind: .note, table: account.table,
                message: "No account in \(account.header) has \("aeiou".contains(listed.first!) ? "an" : "a") \(listed) part (\(account.example); \(first.name) is read \(first.part.describedForTrainer)), so the rules that need \(them) are not assessed.",
                hint: (lookups.isEmpty ? "" : "The workbook has no \(lookups.joined(separator: " or ")) table, which would give \(them). ")
                    + "If the accounts hold \(them) elsewhere, set account_layout in the Params sheet (\"fund\", \"function\", … or \"object 7-9\" by characters), or choose your state's preset.",
                missingSegments: names))
        }
        return binding
    }

    struct SheetMatch {
        var sheet: Int
        var row: Int
        var hinted: Bool
        /// Declared column names to the header's column position.
        var columns: [String: Int]
        var matched: Int { columns.count }
        var missing: [TableColumn]
        var headers: [String]
        /// Declared columns whose header appears on more than one column of the row.
        var clashes: [(column: String, header: String, positions: [Int])] = []
    }

    private static func bestHeaderRow(of table: TableDeclaration, in rows: [[String]], sheet: Int, hinted: Bool) -> SheetMatch {
        var best = SheetMatch(sheet: sheet, row: 0, hinted: hinted, columns: [:], missing: table.columns.filter { !$0.isOptional },
                              headers: rows.first ?? [])
        for (rowIndex, cells) in rows.enumerated() {
            let normalized = cells.map(normalizedHeader)
            var columns: [String: Int] = [:]
            for column in table.columns {
                if let position = position(of: column, in: normalized) { columns[column.name.text.lowercased()] = position }
            }
            let missing = table.columns.filter { column in
                !column.isOptional && columns[column.name.text.lowercased()] == nil && !canWorkOut(column, of: table, from: columns)
            }
            if missing.count < best.missing.count || (missing.count == best.missing.count && columns.count > best.columns.count) {
                var clashes: [(column: String, header: String, positions: [Int])] = []
                for (name, position) in columns.sorted(by: { $0.value < $1.value }) {
                    let same = normalized.indices.filter { normalized[$0] == normalized[position] }
                    if same.count > 1 { clashes.append((name, cells[position], same)) }
                }
                best = SheetMatch(sheet: sheet, row: rowIndex, hinted: hinted, columns: columns, missing: missing, headers: cells, clashes: clashes)
            }
        }
        return best
    }

    private static func missingTable(_ declaration: TableDeclaration, title: String, required: [TableColumn], matches: [SheetMatch],
                                     sheets: [RawSheet], of workbook: RawWorkbook, rules: CheckedRuleSet) -> BindingMessage {
        // The sheet that came closest: named in the hints, holding more than half the required
        // columns, or half of them and a header that looks like a missing one (`Amout`). A sheet
        // that shares one column of two and nothing like the other is no near miss.
        let closest = matches.filter { match in
            let held = (required.count - match.missing.count) * 2
            return match.hinted || held > max(1, required.count)
                || held == required.count && match.missing.contains { missing in !unclaimedHeaders(match).filter { looksLike($0, missing) }.isEmpty }
        }
            .max { ($0.hinted ? 1 : 0, $0.matched) < ($1.hinted ? 1 : 0, $1.matched) }
        // A sheet named for the table but missing one of its columns is a broken workbook, not a
        // missing table: reviewing without it would mislead (a misspelt Amount header would leave
        // the ledger out, and the review's date with it), so the run stops and says what to fix.
        // A sheet named for the table but lacking one of its columns leaves that table out, said
        // plainly; the rest of the workbook is still reviewed, unless the table is required.
        let kind: BindingMessage.Kind = declaration.isRequired ? .error : .notAssessed
        guard let closest, let missing = closest.missing.first else {
            let looked = declaration.sheetHints.isEmpty ? "" : " (looked for a sheet named \(declaration.sheetHints.map { "\"\($0)\"" }.joined(separator: " or ")), or"
            return BindingMessage(kind: kind, table: declaration.name.text,
                message: "\(workbook.isDistrict ? "None of the files has a" : "The workbook has no") \(title) table\(looked.isEmpty ? " (looked for" : looked) a sheet whose headers include \(required.prefix(3).map { "\"\($0.aliases.first ?? $0.name.text)\"" }.joined(separator: ", "))).",
                hint: declaration.isRequired ? "This table is required, so the workbook cannot be reviewed without it." : "Rules and indicators that need it are not assessed.")
        }
        let sheet = sheets[closest.sheet]
        // The headers no declared column took are the candidates.
        let found = unclaimedHeaders(closest)
        let close = found.filter { looksLike($0, missing) }
        let foundText = found.isEmpty ? "it has no other headers" : "found " + (close.isEmpty ? Array(found.prefix(6)) : close).map { "`\($0)`" }.joined(separator: ", ")
        let expected = missing.aliases.first ?? missing.name.text
        let fix = close.first.map { "If `\($0)` is that column, rename its header to \"\(expected)\" in the workbook, or add \"\($0)\" to the aliases of `\(missing.name.text)`" }
            ?? "Add a column headed \"\(expected)\" to the sheet, or add the sheet's header for it to the aliases of `\(missing.name.text)`"
        // A column that could be worked out says from which columns, by their first headers.
        let inputs = missing.formula.map { formula in
            formulaInputs(formula, of: declaration).compactMap { name in
                declaration.columns.first { $0.name.text.lowercased() == name }.map { "\"\($0.aliases.first ?? $0.name.text)\"" }
            }
        } ?? []
        let workedOut = inputs.isEmpty ? "" : " It can also be worked out from \(inputs.joined(separator: " and ")) columns, if the sheet has those."
        return BindingMessage(kind: kind, table: declaration.name.text,
            message: "Sheet \(workbook.describe(sheet)) has no column for `\(missing.name.text)` of the \(title) table; \(foundText).",
            hint: "\(fix) in \(place(missing.name.span, in: rules))." + workedOut + (kind == .error ? "" : " Until then, rules that need this table are not assessed."))
    }

    /// A match's headers that no declared column took.
    private static func unclaimedHeaders(_ match: SheetMatch) -> [String] {
        let taken = Set(match.columns.values)
        return match.headers.enumerated().filter { !$0.element.isEmpty && !taken.contains($0.offset) }.map(\.element)
    }

    /// A header that may be a misspelling or abbreviation of one of the column's names.
    private static func looksLike(_ header: String, _ column: TableColumn) -> Bool {
        (column.aliases + [column.name.text]).contains { looksLikeAbbreviation(header, of: $0) || Suggest.closest(header, among: [$0]) != nil }
    }

    /// `Amt` for "Amount", `Acct No` for "Account Number": the same first letter, and the rest in order.
    static func looksLikeAbbreviation(_ short: String, of long: String) -> Bool {
        let short = Array(normalizedHeader(short)), long = Array(normalizedHeader(long))
        guard let first = short.first, first == long.first, short.count < long.count else { return false }
        var position = 0
        for character in long where position < short.count && character == short[position] { position += 1 }
        return position == short.count
    }

    /// `rules/tables.rules:7`
    static func place(_ span: SourceSpan, in rules: CheckedRuleSet) -> String {
        let file = rules.files[span.file]
        return "\(file.path):\(file.location(of: span.start).line)"
    }

    /// Whether a column the sheet lacks can be worked out by its `or` formula: every column the
    /// formula names (or the column a named segment is cut from) is on the sheet.
    private static func canWorkOut(_ column: TableColumn, of table: TableDeclaration, from found: [String: Int]) -> Bool {
        guard let formula = column.formula else { return false }
        return formulaInputs(formula, of: table).allSatisfy { found[$0] != nil }
    }

    private static func isDeclared(_ first: String, above second: String, in table: TableDeclaration) -> Bool {
        let names = table.columns.map { $0.name.text.lowercased() }
        return (names.firstIndex(of: first) ?? .max) < (names.firstIndex(of: second) ?? .max)
    }

    /// The other tables a column's formula reads (`orgs` in `LOOKUP(orgs.site, org)`), lower-cased.
    private static func tablesRead(by formula: Expression) -> Set<String> {
        var tables: Set<String> = []
        func visit(_ expression: Expression) {
            if case .name(let qualifier?, _) = expression { tables.insert(qualifier.text.lowercased()) }
            expression.parts.forEach(visit)
        }
        visit(formula)
        return tables
    }

    /// The declared columns a column's formula reads, lower-cased; for a segment, the column it is cut from.
    private static func formulaInputs(_ formula: Expression, of table: TableDeclaration) -> [String] {
        var inputs: [String] = []
        func visit(_ expression: Expression) {
            if case .name(nil, let name) = expression {
                let key = name.text.lowercased()
                if let column = table.columns.first(where: { $0.name.text.lowercased() == key })
                    ?? table.columns.first(where: { $0.segments.contains { $0.text.lowercased() == key } }),
                   !inputs.contains(column.name.text.lowercased()) {
                    inputs.append(column.name.text.lowercased())
                }
            }
            expression.parts.forEach(visit)
        }
        visit(formula)
        return inputs
    }

    /// Where a declared column is among a row's normalized headers. Aliases are in order of
    /// preference: with both `vendor` (an id) and `name` on the sheet, the alias listed first
    /// decides, not the column further left.
    private static func position(of column: TableColumn, in headers: [String]) -> Int? {
        let names = (column.aliases.isEmpty ? [column.name.text] : column.aliases + [column.name.text]).map(normalizedHeader)
        return names.lazy.compactMap { name in name.isEmpty ? nil : headers.firstIndex(of: name) }.first
    }

    private static func read(_ declaration: TableDeclaration, from sheet: RawSheet, headerRow: Int, in workbook: RawWorkbook,
                             rules: CheckedRuleSet, accountLayout: AccountLayout?) -> (BoundTable, [BindingMessage], [PartlessAccount]) {
        var layout = SheetLayout.detect(sheet, headerRow: headerRow)
        var notes: [BindingMessage] = []
        var partlessAccounts: [PartlessAccount] = []
        let headerCells = SheetLayout.candidateHeaderRows(sheet)[headerRow]
        var bound: [(TableColumn, Int)] = []
        let normalized = headerCells.map(normalizedHeader)
        for column in declaration.columns {
            if let position = position(of: column, in: normalized) { bound.append((column, position)) }
        }
        layout.columns = bound.map { SheetLayout.ColumnHeader(name: headerCells[$0.1], sourceColumn: $0.1) }
        let reading = TableReader.read(sheet, of: workbook, layout: layout, types: bound.map { $0.0.type })
        var columns = reading.table.columns
        var index: [String: Int] = [:]
        for (position, (column, _)) in bound.enumerated() { index[column.name.text.lowercased()] = position }
        for (column, _) in bound where !column.segments.isEmpty {
            guard let position = index[column.name.text.lowercased()] else { continue }
            let header = "column \(columnLetters(columns[position].sourceColumn)) \"\(headerCells[columns[position].sourceColumn])\" of sheet \(workbook.describe(sheet))"
            let parts = column.segments.indices.compactMap { place -> Int? in
                if case .split(let part, _) = SegmentPart(of: column, at: place, layout: accountLayout), part != .max { return part + 1 }
                return nil
            }.max() ?? 0
            let separator = accountSeparator(of: columns[position], declared: column.separator ?? "-", parts: parts, header: header,
                                             table: declaration.name.text, notes: &notes)
            let accountColumn = columns[position]
            if separator != column.separator ?? "-" {
                // Written with the declared separator, so they match a budget written that way.
                let declared = column.separator ?? "-"
                columns[position] = Column(name: accountColumn.name, type: accountColumn.type, sourceColumn: accountColumn.sourceColumn,
                                           values: (0 ..< accountColumn.count).map { row in
                                               if case .code(let code) = accountColumn[row] { .code(code.replacingOccurrences(of: separator, with: declared)) } else { accountColumn[row] }
                                           })
            }
            var partless: [(segment: String, part: SegmentPart)] = []
            // A segment the sheet gives a column of its own is read from there, not cut from the account.
            for (segmentPosition, segment) in column.segments.enumerated() where index[segment.text.lowercased()] == nil {
                var part = SegmentPart(of: column, at: segmentPosition, layout: accountLayout)
                if case .split(let place, _) = part { part = .split(place, by: separator) }
                let cut = segmentColumn(of: accountColumn, named: segment.text, part: part)
                // An account with no such part says nothing of the segment: missing, so the rules
                // that read it are not assessed, rather than blank, which would look like no spending
                // on a catch-all or at a school. A part the layout leaves out is blank on purpose.
                if part != .split(.max, by: separator), isAllBlank(cut), !isAllBlank(accountColumn) {
                    partless.append((segment.text, part))
                    continue
                }
                index[segment.text.lowercased()] = columns.count
                columns.append(cut)
            }
            if !partless.isEmpty {
                let example = (0 ..< accountColumn.count).lazy.map { accountColumn[$0].description }.first { !$0.isEmpty } ?? ""
                partlessAccounts.append(PartlessAccount(table: declaration.name.text, header: header, example: example,
                                                        segments: partless.map { ($0.segment, $0.part) }))
            }
        }
        func boundTable(_ columns: [Column], _ index: [String: Int]) -> BoundTable {
            BoundTable(declaration: declaration, table: Table(file: reading.table.file, sheet: reading.table.sheet, columns: columns,
                                                             sourceRows: reading.table.sourceRows),
                       columnIndex: index, headerRow: headerRow + 1, layout: reading.layout, dataErrors: reading.dataErrors)
        }
        return (workOut(boundTable(columns, index), rules: rules, others: [:]), notes, partlessAccounts)
    }

    /// Tables whose rows are looked up in another by its key (the ledger's accounts in the budget)
    /// but mostly are not in it: two exports that write accounts differently (one with its
    /// sub-object, one without) make the rules that join them find nothing, which looks clean.
    private static func unmatchedKeys(in binding: WorkbookBinding, workbook: RawWorkbook) -> [BindingMessage] {
        var notes: [BindingMessage] = []
        for (name, keyed) in binding.tables.sorted(by: { $0.key < $1.key }) {
            guard let key = keyed.declaration.keys.first?.text, let keys = keyed.column(key) else { continue }
            let known = Set((0 ..< keys.count).map { keys[$0].description })
            for (otherName, other) in binding.tables.sorted(by: { $0.key < $1.key }) where otherName != name && other.declaration.keys.isEmpty {
                guard let column = other.column(key), !other.workedOut.contains(key.lowercased()) else { continue }
                let values = (0 ..< column.count).lazy.map { column[$0].description }.filter { !$0.isEmpty }
                let count = values.count
                let found = values.filter(known.contains).count
                guard count >= 10, found * 2 < count, let example = values.first(where: { !known.contains($0) }) else { continue }
                notes.append(BindingMessage(kind: .note, table: other.declaration.name.text,
                    message: "Only \(found * 100 / count)% of the \(key) values of sheet \(workbook.describe(sheetNamed: other.sheet)) are in sheet \(workbook.describe(sheetNamed: keyed.sheet)) (\(example) is not; \(keys.count > 0 ? keys[0].description : "") is one that is), so the rules that look them up there find little.",
                    hint: "Check that both exports write the \(key) alike: the same parts, separators and leading zeros."))
            }
        }
        return notes
    }

    /// An account column none of whose accounts has a part for some segments, as it was read.
    struct PartlessAccount {
        let table: String
        /// `column B "Account" of sheet "GL Detail"`.
        let header: String
        let example: String
        let segments: [(name: String, part: SegmentPart)]
    }

    private static func isAllBlank(_ column: Column) -> Bool {
        (0 ..< column.count).allSatisfy { column[$0] == .blank }
    }

    /// The separator between an account's parts: the one the table declares, unless nearly no
    /// account has it and nearly all split by one other common separator into the `parts` the
    /// layout reads (100.1000.610.101.100.000), which is then used, with a note saying so. Split by
    /// the wrong one, every segment would be blank; a Munis ORG.OBJECT, two parts, is not split.
    private static func accountSeparator(of accounts: Column, declared: String, parts: Int, header: String, table: String,
                                         notes: inout [BindingMessage]) -> String {
        let written = Array((0 ..< accounts.count).lazy.map { accounts[$0].description }.filter { !$0.isEmpty }.prefix(1_000))
        let count = written.count
        guard parts > 1, count > 0, written.filter({ $0.contains(declared) }).count * 10 < count else { return declared }
        for other in [".", " ", "/", "_", "|", ":"] where other != declared
            && written.filter({ $0.split(separator: other, omittingEmptySubsequences: false).count >= parts }).count * 10 >= count * 9 {
            notes.append(BindingMessage(kind: .note, table: table,
                message: "The accounts in \(header) are separated by \"\(other)\" (\(written.first!)), not by \"\(declared)\" as the rules say, so they were split by \"\(other)\", and are shown and matched with \"\(declared)\".",
                hint: "Check the segments with `pathways inspect`; to make it the rule, change `split by` in tables.rules."))
            return other
        }
        return declared
    }

    /// Adds the columns the sheet lacks but can be worked out from the ones it has (`or debit -
    /// credit`), and, once `others` are bound, from another table's row (`or LOOKUP(orgs.site, org)`).
    private static func workOut(_ asRead: BoundTable, rules: CheckedRuleSet, others: [String: BoundTable]) -> BoundTable {
        let declaration = asRead.declaration
        let formulas = rules.columnFormulas[declaration.name.text.lowercased()] ?? [:]
        var completed = asRead
        // Made once, and only for a table with a column to work out.
        lazy var otherSources = others.mapValues { RowSource(bound: $0) }
        lazy var values = ParamValues(rules: rules, workbook: nil, commandLine: [:])
        // In the order declared, so a column can be worked out from one worked out above it. A
        // segment cut from the account gives way to another table that says what it is: with an
        // Org codes sheet, a Munis account's ORG.OBJECT has no function part to cut.
        for column in declaration.columns {
            let name = column.name.text.lowercased()
            guard let written = column.formula, let formula = formulas[name],
                  completed.columnIndex[name] == nil || (asRead.isCutSegment(name) && !tablesRead(by: written).isDisjoint(with: others.keys)),
                  let first = formulaInputs(written, of: declaration).first, let input = completed.column(first),
                  // A first input worked out below this column is not the sheet's: revised worked out
                  // from the original budget alone says nothing of transfers.
                  !completed.workedOut.contains(first) || isDeclared(first, above: name, in: declaration) else { continue }
            let source = RowSource(bound: completed)
            var sources = otherSources
            sources[declaration.name.text.lowercased()] = source
            let evaluator = Evaluator(sources: sources, rules: rules, values: values, asOf: nil)
            guard let vector = try? evaluator.evaluate(formula, in: Frame(source: source)) else { continue }
            var index = completed.columnIndex
            var columns = completed.table.columns
            let workedOutColumn = Column(name: column.name.text, type: column.type, sourceColumn: input.sourceColumn,
                                         values: (0 ..< asRead.table.rowCount).map(vector.value))
            if let cut = index[name] {
                columns[cut] = workedOutColumn
            } else {
                index[name] = columns.count
                columns.append(workedOutColumn)
            }
            let workedOut = completed.workedOut.union([column.name.text.lowercased()])
            completed = BoundTable(declaration: declaration, table: Table(file: asRead.table.file, sheet: asRead.table.sheet, columns: columns,
                                                                         sourceRows: asRead.table.sourceRows),
                                   columnIndex: index, headerRow: asRead.headerRow, layout: asRead.layout, dataErrors: asRead.dataErrors)
            completed.workedOut = workedOut
        }
        return completed
    }

    /// Where a segment is in an account: the n-th part split by a separator, or some characters.
    public enum SegmentPart: Equatable {
        case split(Int, by: String)
        case characters(ClosedRange<Int>)

        /// `as part 3 split by "-"`, `as characters 7-9`.
        var describedForTrainer: String {
            switch self {
            case .split(let place, let separator): "as part \(place + 1) split by \"\(separator)\""
            case .characters(let range): "as characters \(range.lowerBound)" + (range.count > 1 ? "-\(range.upperBound)" : "")
            }
        }

        /// The place of a column's segment: `account_layout` says which part each segment is, and
        /// a segment it leaves out is blank (a Texas account has no project part), not missing.
        /// Characters the table declares stand unless the layout gives characters of its own, as
        /// New York's preset does; a layout naming a segment the column lacks is not this column's.
        public init(of column: TableColumn, at position: Int, layout: AccountLayout?) {
            let declared = position < column.segmentPositions.count ? column.segmentPositions[position] : nil
            let separator = column.separator ?? "-"
            let names = Set(column.segments.map { $0.text.lowercased() })
            guard let layout, layout.places.allSatisfy({ names.contains($0.segment) }) else {
                self = declared.map(SegmentPart.characters) ?? .split(position, by: separator)
                return
            }
            switch layout.place(of: column.segments[position].text) {
            case .characters(let range): self = .characters(range)
            case .part(let part): self = declared.map(SegmentPart.characters) ?? .split(part, by: separator)
            case nil: self = declared.map(SegmentPart.characters) ?? .split(Int.max, by: separator)
            }
        }

        /// The segment of one account; blank where the account is too short to have it.
        func cut(_ account: String) -> String? {
            switch self {
            case .split(let position, let separator):
                let parts = account.split(separator: separator, omittingEmptySubsequences: false)
                return position < parts.count ? String(parts[position]) : nil
            case .characters(let range):
                let characters = Array(account)
                guard range.lowerBound <= characters.count else { return nil }
                return String(characters[(range.lowerBound - 1) ..< min(range.upperBound, characters.count)])
            }
        }
    }

    /// Each code's segment; blank where a code is too short to have it.
    private static func segmentColumn(of column: Column, named name: String, part: SegmentPart) -> Column {
        var pool = TextPool()
        var ids: [UInt32] = []
        ids.reserveCapacity(column.count)
        var cache: [UInt32: UInt32] = [:]
        guard case .strings(let sourceIDs, let sourcePool) = column.storage else {
            return Column(name: name, type: .code, sourceColumn: column.sourceColumn, storage: .strings(ids: [UInt32](repeating: 0, count: column.count), pool: pool))
        }
        for id in sourceIDs {
            if let known = cache[id], sourcePool.deduplicates {
                ids.append(known)
                continue
            }
            let segment = part.cut(sourcePool.string(id)).map { pool.intern($0) } ?? TextPool.blankID
            cache[id] = segment
            ids.append(segment)
        }
        return Column(name: name, type: .code, sourceColumn: column.sourceColumn, storage: .strings(ids: ids, pool: pool))
    }
}

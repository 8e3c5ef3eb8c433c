import Foundation
import Reports
import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

/// `pathways run`: read a workbook (or a district's several files), check the rules, evaluate
/// them, print a summary and write the findings as JSON beside the other outputs.
public enum RunJob {
    public struct Options: Sendable {
        /// A workbook or CSV file; or a district's several files, a folder of them, or a zip.
        public var inputs: [String]
        public var rules = RuleSetFolder.defaultPath
        /// Where the findings go; by default the input's folder.
        public var output: String?
        public var params: [String: String] = [:]
        /// A preset of the rule files (`texas`), under the Params sheet's values and `params`.
        public var preset: String?
        /// A preset used when neither `preset` nor the workbook's Params sheet chooses one.
        public var fallbackPreset: String?
        public var asOf: String?
        public var json = false
        /// The run history (an SQLite file, made if missing) to record the review in and carry the
        /// reviewer's marks from; none by default.
        public var history: String?
        /// The district the review is of, in the history; by default the input's name without a
        /// date at its end (`springfield-2025-03.xlsx` is springfield).
        public var district: String?
        /// Seconds to wait for a history another program has locked.
        public var historyWait: TimeInterval = 15
        /// Told how a long review is getting on: a terminal's progress bar, the watcher's log.
        public var progress: (@Sendable (Progress) -> Void)?
        /// Also write each budget owner's packet (scorecard, findings, budget lines) into
        /// `owners/<review name>/` beside the reviewed workbook.
        public var packets = false
        /// Exit 1 when there are findings at this severity or worse.
        public var failOn: Severity?
        /// Which files to write: the reviewed workbook (`xlsx`), the findings (`json`), or both.
        public var outputFormats: Set<String> = ["xlsx", "json"]
        /// Most cell comments in the reviewed workbook.
        public var commentLimit = ReviewedWorkbook.defaultCommentLimit
        /// Rows per sheet of the reviewed workbook (Excel's limit; lower only in tests).
        public var rowsPerSheet = ReviewedWorkbook.excelRowLimit

        public init(input: String) { inputs = [input] }
        public init(inputs: [String]) { self.inputs = inputs }
    }

    /// The findings file: the schema is described in docs/findings-json.md.
    public struct Report: Codable, Sendable {
        public struct TableUse: Codable, Sendable {
            public let table: String
            /// The file the sheet is in: the input's name, or one of a district's files.
            public let file: String
            public let sheet: String
            public let headerRow: Int
            public let rows: Int
            /// Where each declared column (lower case) was found: `"Amount" (column H)`, `cut from
            /// "Account" (column D)`, or worked out by its formula.
            public var columns: [String: String] = [:]
        }

        /// A row of a table's sheet that is not data: a total or a repeated header, left out.
        public struct LeftOutRow: Codable, Sendable {
            public let table: String
            public let sheet: String
            public let row: Int
            /// `total`, `repeatedHeader`, `footer` or `tooManyFields` in JSON.
            public let reason: SheetLayout.SkippedRow.Reason
            public let label: String
        }

        public struct NotAssessed: Codable, Sendable {
            public let item: String
            public let reason: String
        }

        /// A file reviewed, with its sheets: their names in the file and in the review.
        public struct InputUse: Codable, Sendable {
            public let file: String
            /// `csv` or `xlsx`.
            public let format: ReadingNotes.Format
            public let sheets: [InputFile.Sheet]
        }

        public var schema = "pathways-findings/1"
        /// The file reviewed, or a district's name: its folder's, or its zip's.
        public let input: String
        /// Every file read, in order; one for a single workbook.
        public let inputs: [InputUse]
        public let rules: [String]
        /// FNV-1a of the rule files' names and text: the same rules give the same fingerprint.
        public let ruleFingerprint: String
        /// The preset whose code meanings the review used (`texas`), or nil for the rules' own.
        public let preset: String?
        /// Nil when the workbook has no dates and the run gave none.
        public let asOf: String?
        public let tables: [TableUse]
        public let params: [ParamSetting]
        /// Findings by severity, DATA warnings included: `{"error": 3, "info": 9, "warning": 4}` in JSON.
        public let counts: [Severity: Int]
        public let findings: [Finding]
        public let notAssessed: [NotAssessed]
        public let indicators: [IndicatorResult]
        public let pathways: [PathwayResult]
        public let goals: [GoalResult]
        public let dataErrors: [DataError]
        public let dataErrorCount: Int
        public let leftOutRows: [LeftOutRow]
        /// What the reviewer should check before trusting the review: how the file was read (an
        /// encoding guessed, numbers that read two ways) and a sheet taken for its name while another fits better.
        public var notes: [String] = []
        /// What changed since the district's last review, when Pathways had it.
        public var sinceLastReview: Since?
        /// Every time-bound goal against the straight path to its target: the district's own
        /// (whose metric names an indicator) and the rules'.
        public var goalProgress: [GoalProgress] = []
        /// Each budget owner's lines, money, pace and findings; the share of the fiscal year gone by the as-of date.
        public var ownerScorecards: [OwnerScorecard] = []
        /// The indicators measured per site (`per site` in the rules), for each school: the Schools sheet.
        public var indicatorsPerSite: [PerValueIndicators] = []
        public var yearGone: Double?

        public struct Since: Codable, Sendable {
            /// The last review: the reviewed workbook it was read from.
            public let source: String
            public let asOf: String?
            /// Finding ids new in this review, and those of the last review's findings resolved since.
            public let new: [String]
            public let resolved: [String]
            /// How many reviewer statuses and notes were carried to this review's findings.
            public let carried: Int
        }

        /// Whether the review is of a district's several files (or a folder or zip of them).
        public var isDistrict: Bool { inputs.count != 1 || inputs[0].file != input }
    }

    /// How far a review has got: its stage, and rows done of how many when that is known.
    public struct Progress: Sendable {
        public enum Stage: String, Sendable {
            case reading = "Reading", checking = "Checking the rules", writing = "Writing the reviewed workbook"
        }

        public let stage: Stage
        public let done: Int
        /// Nil while the count is not known; equal to `done` when the stage is over.
        public let total: Int?
        /// Seconds since the stage began.
        public let seconds: Double

        public var isFinished: Bool { total == done }

        public init(stage: Stage, done: Int, total: Int?, seconds: Double) {
            self.stage = stage
            self.done = done
            self.total = total
            self.seconds = seconds
        }
    }

    /// The folder beside the reviewed workbook that holds the owners' packets, one folder a review.
    public static let packetsFolder = "owners"

    /// `pathways run`: reviews the workbook and says what came of it, as a command does.
    public static func run(_ options: Options) -> CommandOutcome {
        let result: JobResult
        var sheetOfView: [String: String] = [:]
        switch loadRules(options.rules) {
        case .success(let rules):
            result = review(options, rules: rules)
            sheetOfView = Dictionary(rules.views.map { ($0.name, $0.title) }, uniquingKeysWith: { first, _ in first })
        case .failure(let problem):
            result = .failed(JobFailure(problem))
        }
        switch result {
        case .failed(let failure):
            return CommandOutcome(standardError: failure.commandLineText, exitCode: 2)
        case .marksRecorded(let recorded):
            return CommandOutcome(standardOutput: recorded.sentence + "\n")
        case .reviewed(let review):
            var outcome = CommandOutcome()
            outcome.standardOutput = options.json ? String(decoding: review.findingsJSON, as: UTF8.self) + "\n"
                : summary(review.report, written: review.written, sheetOfView: sheetOfView)
            // A history that could not be written after the review: said apart, as the review itself stands.
            let unrecorded = review.historyProblems.filter { !review.report.notes.contains($0) }
            outcome.standardError = unrecorded.map { "pathways: \($0)\n" }.joined()
            if let threshold = options.failOn, review.report.findings.contains(where: { $0.severity <= threshold }) { outcome.exitCode = 1 }
            return outcome
        }
    }

    /// Why a folder's rules cannot be used.
    public struct RulesProblem: Error, Sendable {
        public let folder: String
        /// The checker's report, each mistake with its line marked; empty when they could not be read.
        public var report = ""
        /// Why the folder or a file in it could not be read, in a sentence: there are no rules to have mistakes.
        public var unreadable: String?
        /// What the problem is, as the end of "The rules in rules/ …".
        public var verdict: String { unreadable != nil ? "could not be read" : "have mistakes" }
    }

    /// Reads and checks the rule files of a folder.
    public static func loadRules(_ folder: String) -> Result<CheckedRuleSet, RulesProblem> {
        let files: [SourceFile]
        do {
            files = try RuleSetFolder.load(folder)
        } catch {
            return .failure(RulesProblem(folder: folder, unreadable: error.description))
        }
        let check = RuleChecker.check(files)
        guard let rules = check.ruleSet else {
            return .failure(RulesProblem(folder: folder, report: check.report.text))
        }
        return .success(rules)
    }

    /// What a review is called and where its outputs go. One file's review is named after it and
    /// written beside it (`ledger.csv` gives `ledger.reviewed.xlsx`), and so is a zip's; a folder's
    /// is named after the folder and written in it; several files' after the folder of the first,
    /// and written there (`springfield/ledger.csv …` gives `springfield/springfield.reviewed.xlsx`).
    public static func naming(_ inputs: [String]) -> (name: String, stem: String, folder: URL) {
        let first = URL(fileURLWithPath: inputs.first ?? ".").standardizedFileURL
        let isFolder = DistrictReader.isFolder(first.path)
        if inputs.count == 1 && !isFolder {
            return (first.lastPathComponent, first.deletingPathExtension().lastPathComponent, first.deletingLastPathComponent())
        }
        let folder = isFolder ? first : first.deletingLastPathComponent()
        let name = folder.path == "/" ? "district" : folder.lastPathComponent
        return (name, name, folder)
    }

    /// The run's as-of date, params and the workbook's tables bound to the rules; why not, when they cannot be.
    static func bind(_ workbook: RawWorkbook, rules: CheckedRuleSet, options: Options)
        -> Result<(asOf: CalendarDate?, params: ParamValues, binding: WorkbookBinding), JobFailure> {
        var asOf: CalendarDate?
        if let text = options.asOf {
            guard let date = ValueText.withUTF8(text, { ValueText.date($0) }) else {
                return .failure(JobFailure(.workbook, [JobFailure.Reason("--as-of \(text) is not a date; write it as 2025-06-30.")]))
            }
            asOf = date
        }
        let params = ParamValues(rules: rules, workbook: workbook, commandLine: options.params, preset: options.preset,
                                 fallbackPreset: options.fallbackPreset)
        if !params.problems.isEmpty {
            return .failure(JobFailure(.workbook, params.problems.map { JobFailure.Reason($0) }))
        }
        let binding = WorkbookBinder.bind(workbook, to: rules, params: params)
        if !binding.errors.isEmpty {
            return .failure(JobFailure(.workbook, binding.errors.map { JobFailure.Reason("\($0)", about: workbook.file) }
                                       + [JobFailure.Reason("nothing was reviewed; fix the workbook or the table declarations and run again.")]))
        }
        return .success((asOf, params, binding))
    }

    /// `pathways explain RULE ROW WORKBOOK`: one rule worked out on one row of the workbook, step by step.
    public static func explain(_ options: Options, rule: String, row: Int) -> CommandOutcome {
        let rules: CheckedRuleSet
        switch loadRules(options.rules) {
        case .success(let checked): rules = checked
        case .failure(let problem): return CommandOutcome(standardError: JobFailure(problem).commandLineText, exitCode: 2)
        }
        let naming = naming(options.inputs)
        var workbook: RawWorkbook
        do {
            workbook = try DistrictReader.read(paths: options.inputs, name: naming.name)
        } catch {
            return CommandOutcome(standardError: JobFailure(.workbook, [JobFailure.Reason(error.message, about: error.file)]).commandLineText, exitCode: 2)
        }
        workbook = workbook.leavingOut(inputs: ReviewerNotes.reviewInputs(of: workbook)) ?? workbook
        switch bind(workbook, rules: rules, options: options) {
        case .failure(let failure):
            return CommandOutcome(standardError: failure.commandLineText, exitCode: 2)
        case .success(let (asOf, params, binding)):
            do {
                let lines = try RuleExplainer.explain(rule: rule, sheetRow: row, rules: rules, binding: binding, params: params, asOf: asOf)
                return CommandOutcome(standardOutput: lines.joined(separator: "\n") + "\n")
            } catch {
                return CommandOutcome(standardError: "pathways: \(error.description)\n", exitCode: 2)
            }
        }
    }

    /// Reviews `options.inputs` with rules already checked (the drop folder keeps them between
    /// files), writing the outputs `options` asks for.
    public static func review(_ options: Options, rules: CheckedRuleSet) -> JobResult {
        func fail(_ reasons: JobFailure.Reason...) -> JobResult { .failed(JobFailure(.workbook, reasons)) }
        func failToWrite(_ reason: String) -> JobResult { .failed(JobFailure(.outputs, [JobFailure.Reason(reason)])) }
        let naming = naming(options.inputs)
        var workbook: RawWorkbook
        var stageStart = Date()
        func tell(_ stage: Progress.Stage, _ done: Int, of total: Int?) {
            options.progress?(Progress(stage: stage, done: done, total: total, seconds: Date().timeIntervalSince(stageStart)))
        }
        tell(.reading, 0, of: nil)
        do {
            workbook = try DistrictReader.read(paths: options.inputs, name: naming.name)
            let rows = workbook.sheets.reduce(0) { $0 + $1.rowCount }
            tell(.reading, rows, of: rows)
        } catch where error.file != naming.name {
            // One of a district's files: the sentence itself names it, as the drop folder's note shows sentences alone.
            return fail(JobFailure.Reason("the file \(error.file) could not be read, so nothing was reviewed. \(error.message)", about: naming.name))
        } catch {
            return fail(JobFailure.Reason(error.message, about: error.file))
        }
        var district = options.district ?? districtName(naming.stem)
        var historyProblems: [String] = []
        var history: ReviewHistory?
        if let path = options.history {
            do {
                history = try ReviewHistory(path: path, wait: options.historyWait)
            } catch {
                historyProblems.append("The run history \(path) was not used, so this review is not recorded in it and nothing was carried from it: \(error.description).")
            }
        }
        // A workbook Pathways reviewed, dropped back or named beside the exports, is the reviewer's
        // notes, never the district's data.
        let reviewInputs = ReviewerNotes.reviewInputs(of: workbook)
        let droppedNotes = reviewInputs.sorted().compactMap { ReviewerNotes.read(workbook, input: $0) }
        if !reviewInputs.isEmpty {
            guard let data = workbook.leavingOut(inputs: reviewInputs) else {
                // Alone, it is the reviewer's marks: kept in the history for the next review of the
                // district it was a review of, whatever the reviewer named the file.
                let marks = droppedNotes.flatMap(\.edited)
                if options.district == nil, let notes = droppedNotes.first {
                    district = notes.district ?? districtName(URL(fileURLWithPath: notes.reviewed).deletingPathExtension().lastPathComponent)
                }
                if let history {
                    do {
                        try history.record(marks: marks, district: district)
                        return .marksRecorded(MarksRecorded(district: district, count: marks.count, history: history.path))
                    } catch {
                        return .failed(JobFailure(.outputs, [JobFailure.Reason("the reviewer's statuses and notes could not be recorded in the run history \(history.path): \(error.description).", about: naming.name)]))
                    }
                }
                return fail(JobFailure.Reason("this is a workbook Pathways reviewed, not the district's data, so nothing was reviewed. Its statuses and notes are carried to the next review when it is given with the district's exports (in their folder, or named beside them), or kept in a run history (--history).", about: naming.name))
            }
            workbook = data
        }
        let asOf: CalendarDate?, params: ParamValues, binding: WorkbookBinding
        switch bind(workbook, rules: rules, options: options) {
        case .success(let bound): (asOf, params, binding) = bound
        case .failure(let failure): return .failed(failure)
        }
        // With no rows of any table there is nothing to review, and a review with no findings
        // would read as a clean bill of health: the run fails and says what it looked for.
        if !binding.tables.values.contains(where: { $0.table.rowCount > 0 }) {
            let empty = binding.messages.filter { $0.kind == .notAssessed && binding.tables[$0.table.lowercased()] != nil }
            let reasons = empty.isEmpty ? binding.messages.filter { $0.kind == .notAssessed } : empty
            return .failed(JobFailure(.workbook, [JobFailure.Reason("there is nothing in it to review: "
                                                                    + (empty.isEmpty ? "none of its sheets is one of the tables the rules read." : "its tables have no rows."), about: workbook.file)]
                + reasons.map { JobFailure.Reason(empty.isEmpty ? $0.message : $0.description, about: workbook.file) }
                + [JobFailure.Reason("nothing was reviewed; check that this is the export you meant to review (a general ledger, a budget report or a list of schools).")]))
        }
        stageStart = Date()
        let rows = binding.tables.values.reduce(0) { $0 + $1.table.rowCount }
        tell(.checking, 0, of: nil)
        let evaluation = RuleRunner.run(rules, on: binding, params: params, asOf: asOf)
        tell(.checking, rows, of: rows)
        var report = makeReport(workbook: workbook, rules: rules, binding: binding, params: params, evaluation: evaluation)
        let folder = options.output.map { URL(fileURLWithPath: $0) } ?? naming.folder
        let reviewedTarget = folder.appendingPathComponent(naming.stem + ".reviewed.xlsx")
        // The last review: one dropped back with the exports, or the reviewed workbook this one replaces.
        let previous: (notes: ReviewerNotes, source: String)? = droppedNotes.last.map { ($0, $0.reviewed) }
            ?? (options.outputFormats.contains("xlsx") ? previousReview(at: reviewedTarget) : nil)
        var sinceLast = previous.map { $0.notes.since(report.findings, source: $0.source) }
        var pastOwners: (asOf: String?, cards: [String: OwnerScorecard])?
        // With a history, the marks written in those workbooks go into it, and the last review and
        // every mark come from it, so marks outlive a workbook the reviewer never opened again.
        if let history {
            do {
                for notes in droppedNotes + [previous?.notes].compactMap({ $0 }) { try history.record(marks: notes.edited, district: district) }
                if let past = try history.lastReview(of: district) {
                    sinceLast = ReviewerNotes.change(since: past.findings, marks: try history.marks(of: district), source: "the run history",
                                                     asOf: past.asOf, to: report.findings)
                    pastOwners = (past.asOf, try history.owners(inReview: past.id))
                }
            } catch {
                historyProblems.append("The run history \(history.path) could not be read, so nothing was carried from it: \(error.description).")
            }
        }
        report.sinceLastReview = sinceLast.map { since in
            RunJob.Report.Since(source: since.source, asOf: since.asOf, new: report.findings.compactMap(\.id).filter(since.new.contains),
                                resolved: since.resolvedIDs, carried: since.carried.count)
        }
        report.notes += historyProblems
        // Before this review is recorded: the history's reviews, then this one.
        let past = history.flatMap { try? $0.indicators(of: district) } ?? []
        let trends = past.isEmpty ? nil : Self.trends(past, now: report)
        report.goalProgress = GoalTracking.progress(report: report, binding: binding, past: past)
        report.indicatorsPerSite = evaluation.perValue
        (report.ownerScorecards, report.yearGone) = OwnerScorecards.make(report: report, binding: binding, past: pastOwners)

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json: Data
        do {
            json = try encoder.encode(report)
        } catch {
            return fail(JobFailure.Reason("the findings could not be written as JSON: \(error)"))
        }
        let stem = naming.stem
        var written: [String] = []
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            return failToWrite("the folder \(folder.path) could not be made: \(error.localizedDescription)")
        }
        if options.outputFormats.contains("xlsx") {
            let target = reviewedTarget
            var contents = ReviewContents(workbook: workbook, binding: binding, evaluation: evaluation, findings: report.findings,
                                          notAssessed: report.notAssessed.map { ($0.item, $0.reason) }, ruleFiles: report.rules,
                                          ruleFingerprint: report.ruleFingerprint, dataErrors: report.dataErrors, dataErrorCount: report.dataErrorCount,
                                          leftOutRows: report.leftOutRows.map { ($0.sheet, $0.row, $0.label, $0.reason) },
                                          notes: report.notes, preset: report.preset)
            contents.sinceLast = sinceLast
            contents.district = district
            contents.trends = trends
            contents.goalProgress = report.goalProgress
            contents.ownerScorecards = report.ownerScorecards
            contents.yearGone = report.yearGone
            do {
                stageStart = Date()
                // The rows the writer copies: every row of the worksheets it writes again.
                let copied = workbook.sheets.filter { $0.kind == .worksheet }.reduce(0) { $0 + $1.rowCount }
                tell(.writing, 0, of: copied)
                try ReviewedWorkbook.write(contents, to: target, commentLimit: options.commentLimit,
                                           rowsPerSheet: options.rowsPerSheet) { done, total in
                    tell(.writing, done, of: total)
                }
                tell(.writing, copied, of: copied)
            } catch {
                return failToWrite(error.description)
            }
            written.append(target.path)
            if options.packets {
                let packets = folder.appendingPathComponent(RunJob.packetsFolder).appendingPathComponent(stem)
                do {
                    try? FileManager.default.removeItem(at: packets)
                    let titles = Dictionary(evaluation.shownViews.map { ($0.name.lowercased(), $0.title) }, uniquingKeysWith: { first, _ in first })
                    if try !OwnerPackets.write(report: report, binding: binding, sheetOfView: titles, to: packets).isEmpty {
                        written.append(packets.path + "/")
                    } else {
                        try? FileManager.default.removeItem(at: packets)
                    }
                } catch {
                    return failToWrite("the budget owners' packets could not be written to \(packets.path): \(error)")
                }
            }
        }
        if options.outputFormats.contains("json") {
            let target = folder.appendingPathComponent(stem + ".findings.json")
            do {
                try AtomicFile.write(json + Data("\n".utf8), to: target)
            } catch {
                return failToWrite("the findings could not be written to \(target.path): \(error.localizedDescription)")
            }
            written.append(target.path)
        }
        if let history {
            do {
                try history.record(report, district: district)
            } catch {
                historyProblems.append("The review was written but could not be recorded in the run history \(history.path): \(error.description).")
            }
        }
        var review = Review(report: report, written: written, findingsJSON: json)
        review.historyProblems = historyProblems
        return .reviewed(review)
    }

    /// Each indicator at each past review of the district and at this one, for the Trends sheet.
    static func trends(_ past: [ReviewHistory.IndicatorPoint], now report: Report) -> Trends {
        var reviews: [Int64] = []
        var labels: [String] = []
        for point in past where !reviews.contains(point.review) {
            reviews.append(point.review)
            labels.append(point.asOf ?? "review \(point.review)")
        }
        labels.append((report.asOf ?? "this review") + " (this review)")
        let titles = Dictionary(report.pathways.map { ($0.pathway.lowercased(), $0.title) }, uniquingKeysWith: { first, _ in first })
        var indicators = report.indicators.map { ($0.indicator, $0.title, $0.pathway) }
        for point in past where !indicators.contains(where: { $0.0 == point.indicator }) { indicators.append((point.indicator, point.indicator, point.pathway)) }
        let byKey = Dictionary(past.map { ("\($0.review) \($0.indicator)", $0) }, uniquingKeysWith: { first, _ in first })
        let rows = indicators.map { indicator, title, pathway -> Trends.Row in
            let current = report.indicators.first { $0.indicator == indicator }
            let earlier = reviews.map { byKey["\($0) \(indicator)"] }
            return Trends.Row(indicator: indicator, title: title, pathway: titles[pathway.lowercased()] ?? pathway,
                              values: earlier.map { $0?.value } + [current?.value],
                              levels: earlier.map { $0?.level.flatMap(Level.init(rawValue:)) } + [current?.level])
        }
        return Trends(reviews: labels, rows: rows)
    }

    /// The district a file's name stands for: without a date or month at its end, so the monthly
    /// exports `springfield-2025-03.xlsx` and `springfield 2025-06-30.xlsx` are one district.
    public static func districtName(_ stem: String) -> String {
        let pattern = #"[\s_-]*(fy\s*)?(19|20)\d\d([\s_.-]*\d{1,2}){0,2}$"#
        guard let range = stem.range(of: pattern, options: [.regularExpression, .caseInsensitive]), range.lowerBound > stem.startIndex else { return stem }
        return String(stem[..<range.lowerBound])
    }

    /// The notes of the reviewed workbook a review is about to replace, so a reviewer's statuses
    /// are carried rather than overwritten; nil when there is none or it is not Pathways' review.
    static func previousReview(at target: URL) -> (notes: ReviewerNotes, source: String)? {
        guard FileManager.default.fileExists(atPath: target.path), let workbook = try? SpreadsheetReader.read(path: target.path),
              let notes = ReviewerNotes.read(workbook) else { return nil }
        return (notes, target.lastPathComponent)
    }

    /// A ledger of four-digit objects (Texas' 6119) read with the rules' own, NCES, meanings of
    /// three-digit ones would look clean and be wrong: the reviewer is asked to choose a preset.
    static func stateChartNote(binding: WorkbookBinding, rules: CheckedRuleSet, params: ParamValues) -> String? {
        guard params.preset == nil, !rules.presets.isEmpty,
              let objects = binding.tables["transactions"]?.column("object") ?? binding.tables["accounts"]?.column("object") else { return nil }
        let codes = (0 ..< min(objects.count, 2_000)).compactMap { row -> String? in
            if case .code(let code) = objects[row], !code.isEmpty { code } else { nil }
        }
        let long = codes.filter { $0.count >= 4 }
        guard codes.count >= 2, Double(long.count) >= 0.8 * Double(codes.count) else { return nil }
        let examples = Array(Set(long)).sorted().prefix(2).joined(separator: ", ")
        return "Most object codes have four digits or more (\(examples)), but they were read with the rules' own meanings, which follow the NCES handbook's three-digit objects. If the district follows a state's chart of accounts, review it again with that state's preset (`pathways presets` lists them; for Texas, --preset texas)."
    }

    static func makeReport(workbook: RawWorkbook, rules: CheckedRuleSet, binding: WorkbookBinding, params: ParamValues,
                           evaluation: Evaluation) -> Report {
        var errors: [DataErrorLog] = []
        var tables: [Report.TableUse] = []
        var leftOut: [Report.LeftOutRow] = []
        for declaration in rules.tables {
            guard let bound = binding.tables[declaration.name.text.lowercased()] else { continue }
            var use = Report.TableUse(table: declaration.name.text, file: bound.table.file, sheet: bound.sheet, headerRow: bound.headerRow, rows: bound.table.rowCount)
            // Where each column was found, for a trainer's editor to show beside the rules.
            for (name, index) in bound.columnIndex {
                let column = bound.table.columns[index]
                let place = "\"\(column.name)\" (column \(columnLetters(column.sourceColumn)))"
                use.columns[name] = bound.workedOut.contains(name) ? "worked out by its `or` formula"
                    : bound.isCutSegment(name) ? "cut from \(place)" : place
            }
            tables.append(use)
            errors.append(bound.dataErrors)
            leftOut += bound.layout.skippedRows.map {
                Report.LeftOutRow(table: declaration.name.text, sheet: bound.sheet, row: $0.row, reason: $0.reason, label: $0.label)
            }
        }
        let dataErrors = DataErrorLog.combining(errors)
        // A cell that cannot be read is itself a finding, so a reviewer sees it beside the others.
        let unreadable = dataErrors.errors.map { error in
            Finding(rule: "DATA", title: "A cell Pathways could not read", severity: .warning, pathway: "", table: "",
                    sheet: error.origin.sheet, rows: [error.origin.row], columns: [error.columnName], cells: [error.origin.qualifiedAddress],
                    message: "\"\(error.rawText)\" \(error.reason)", fix: "Correct the cell in the ERP export, or in the workbook, and run again.", group: nil)
        }
        // Sorted here, once, with the DATA warnings among the rest: the findings file, the summary and
        // the Findings sheet all show them in this order.
        var findings = (evaluation.findings + unreadable).sorted(by: Finding.worstFirst)
        for (index, id) in FindingIdentity.identities(of: findings, binding: binding, evaluation: evaluation).enumerated() { findings[index].id = id }
        var counts = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0, 0) })
        for finding in findings { counts[finding.severity, default: 0] += 1 }
        var notAssessed = evaluation.outcomes.filter { !$0.assessed }.map { Report.NotAssessed(item: "rule \($0.rule)", reason: $0.reason ?? "") }
        notAssessed += evaluation.indicators.filter { !$0.assessed }.map { Report.NotAssessed(item: "indicator \($0.indicator)", reason: $0.reason ?? "") }
        notAssessed += binding.messages.filter { $0.kind == .notAssessed }.map { Report.NotAssessed(item: "table \($0.table)", reason: $0.description) }
        let fingerprint = Fingerprint.hex(rules.files.reduce(Fingerprint.fnv1a("")) { Fingerprint.fnv1a(fileName($1.path) + "\n" + $1.text, continuing: $0) })
        let inputs = workbook.inputs.map { Report.InputUse(file: $0.file, format: $0.notes.format, sheets: $0.sheets) }
        return Report(input: workbook.file, inputs: inputs, rules: rules.files.map(\.path), ruleFingerprint: fingerprint,
                      preset: params.preset, asOf: evaluation.asOf?.description, tables: tables,
                      params: params.settings, counts: counts, findings: findings, notAssessed: notAssessed,
                      indicators: evaluation.indicators, pathways: evaluation.pathways, goals: evaluation.goals,
                      dataErrors: dataErrors.errors, dataErrorCount: dataErrors.totalCount, leftOutRows: leftOut,
                      notes: workbook.notes.remarks + binding.messages.filter { $0.kind == .note && matters($0, notAssessed) }.map(\.description)
                        + [stateChartNote(binding: binding, rules: rules, params: params)].compactMap { $0 })
    }

    private static func fileName(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }

    /// A note that accounts lack a segment is worth the reviewer's time only when a rule or
    /// indicator went unassessed for it (a Munis ledger has no program part, which no rule reads).
    private static func matters(_ note: BindingMessage, _ notAssessed: [Report.NotAssessed]) -> Bool {
        note.missingSegments.isEmpty
            || note.missingSegments.contains { segment in notAssessed.contains { $0.reason.contains("its accounts have no \(segment) part") } }
    }

    /// `sheetOfView`: a view's sheet in the reviewed workbook (its title), by the view's name.
    static func summary(_ report: Report, written paths: [String], sheetOfView: [String: String] = [:]) -> String {
        let files = report.isDistrict ? " (\(report.inputs.count) file\(report.inputs.count == 1 ? "" : "s"): \(report.inputs.map(\.file).joined(separator: ", ")))" : ""
        var lines = ["\(report.input)\(files), reviewed with \(report.rules.count) rule file\(report.rules.count == 1 ? "" : "s") as of \(report.asOf ?? "an unknown date (the workbook has no dates; use --as-of)")"]
        lines += report.notes.map { "  Check: \($0)" }
        lines.append("  Tables: " + report.tables.map { "\($0.table) from sheet \"\($0.sheet)\"\(report.isDistrict ? " of \($0.file)" : "") (\(count($0.rows, "row")), header on row \($0.headerRow))" }
            .joined(separator: "; "))
        if let preset = report.preset {
            let set = report.params.filter { $0.source == .preset }.count
            lines.append("  Preset: \(preset), the code meanings of its state's chart of accounts (\(set) parameter\(set == 1 ? "" : "s"); `pathways presets` lists them)")
        }
        let overridden = report.params.filter { $0.source != .rules && $0.source != .preset }
        if !overridden.isEmpty {
            lines.append("  Parameters set for this run: " + overridden.map { "\($0.name) = \($0.value) (\($0.source.rawValue))" }.joined(separator: ", "))
        }
        lines.append("  Findings: \(count(report.counts[.error] ?? 0, "error")), \(count(report.counts[.warning] ?? 0, "warning")), \(formatCount(report.counts[.info] ?? 0)) for information")
        if !report.pathways.isEmpty {
            // A pathway of rules alone (budget-owner accountability) has findings, not a level.
            lines.append("  Pathways: " + report.pathways.map { pathway in
                let partly = pathway.level != nil && pathway.assessedIndicators < pathway.indicators
                    ? " (\(pathway.assessedIndicators) of \(pathway.indicators) indicators assessed)" : ""
                let capped = pathway.cappedBy.map { " (held there by \($0.joined(separator: ", ")))" } ?? ""
                return "\(pathway.title) \(pathway.indicators == 0 ? "(rules only)" : pathway.level?.rawValue ?? "not assessed")" + partly + capped
            }.joined(separator: "; "))
        }
        for indicator in report.indicators where indicator.assessed {
            lines.append("    \(indicator.indicator) \(indicator.title): \(indicator.value ?? "") (\(indicator.level?.rawValue ?? "no level"))")
        }
        if let since = report.sinceLastReview {
            lines.append("  Since the last review (\(since.source)\(since.asOf.map { ", as of \($0)" } ?? "")): \(formatCount(since.new.count)) new, \(formatCount(since.resolved.count)) resolved, \(count(since.carried, "status and note", plural: "statuses and notes")) carried")
        }
        for goal in report.goalProgress where goal.status != .notMeasured {
            let path = [goal.current.map { "now \($0)" }, goal.expected.map { "expected \($0) by now" },
                        goal.target.map { "target \($0)" + (goal.deadline.map { " by \($0)" } ?? "") }].compactMap { $0 }
            lines.append("  Goal \(goal.goal) \(goal.title): \(goal.status.rawValue) (\(path.joined(separator: ", ")))")
        }
        if !report.notAssessed.isEmpty {
            // Many rules share one reason (a table the workbook does not have): one line per reason.
            lines.append("  Not assessed:")
            var reasons: [(reason: String, items: [String])] = []
            for item in report.notAssessed {
                if let index = reasons.firstIndex(where: { $0.reason == item.reason }) { reasons[index].items.append(item.item) } else { reasons.append((item.reason, [item.item])) }
            }
            for (reason, items) in reasons {
                lines.append("    \(items.count == 1 ? items[0] : "\(items.count) rules and indicators (\(items.map { $0.split(separator: " ").last.map(String.init) ?? $0 }.joined(separator: ", ")))"): \(reason)")
            }
        }
        if let first = report.dataErrors.first {
            lines.append("  Cells that could not be read: \(formatCount(report.dataErrorCount)), \(report.dataErrorCount == 1 ? "" : "the first ")\(first.origin.qualifiedAddress)\(report.isDistrict ? " of \(first.origin.file)" : ""): \"\(first.rawText)\" \(first.reason)")
        }
        if !report.findings.isEmpty {
            lines.append("  First findings:")
            lines += report.findings.prefix(5).map { "    \($0.severity.rawValue) \($0.rule) \($0.cells.first ?? sheetOfView[$0.sheet] ?? $0.sheet): \($0.message)" }
        }
        lines += paths.map { "  Written: \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }
}

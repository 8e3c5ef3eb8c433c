import Foundation
import GRDB
import Reports
import RulesEngine
import RulesLanguage
import Tabular

/// Every review of every district, in one SQLite file: its indicators, goals and findings, and the
/// reviewer's latest status and note for each finding, so the next review carries them and shows
/// what changed. `pathways run --history FILE`; the drop folder keeps `history.sqlite` in its folder.
/// A history that cannot be opened or written never costs a review: the run says why it was skipped.
public struct ReviewHistory: Sendable {
    public let path: String
    private let queue: DatabaseQueue

    /// Why the history could not be used, in a sentence's end: "… was not used: the file is not a database."
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// `wait`: seconds to wait for another program's lock (two drop-folder workers recording at
    /// once, a reviewer's SQLite browser) before giving up on the history for this review.
    public init(path: String, wait: TimeInterval = 15) throws(Problem) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(wait)
        configuration.label = "Pathways history"
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
        } catch {
            throw Problem(description: Self.sentence(for: error))
        }
    }

    /// Schema changes, oldest first; a history written by an older Pathways is brought up to date.
    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1 reviews, findings and marks") { db in
            try db.create(table: "review") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("district", .text).notNull().indexed()
                table.column("input", .text).notNull()
                table.column("fiscalYear", .integer)
                table.column("asOf", .text)
                table.column("reviewedAt", .text).notNull()
                table.column("ruleFingerprint", .text).notNull()
                table.column("preset", .text)
                table.column("errors", .integer).notNull()
                table.column("warnings", .integer).notNull()
                table.column("information", .integer).notNull()
            }
            try db.create(table: "indicator") { table in
                table.column("review", .integer).notNull().references("review", onDelete: .cascade)
                table.column("indicator", .text).notNull()
                table.column("pathway", .text).notNull()
                table.column("assessed", .boolean).notNull()
                table.column("value", .text)
                table.column("number", .double)
                table.column("level", .text)
                table.primaryKey(["review", "indicator"])
            }
            try db.create(table: "goal") { table in
                table.column("review", .integer).notNull().references("review", onDelete: .cascade)
                table.column("goal", .text).notNull()
                table.column("indicator", .text)
                table.column("status", .text).notNull()
                table.column("current", .text)
                table.column("expected", .text)
                table.primaryKey(["review", "goal"])
            }
            try db.create(table: "finding") { table in
                table.column("review", .integer).notNull().references("review", onDelete: .cascade)
                table.column("id", .text).notNull()
                table.column("rule", .text).notNull()
                table.column("severity", .text).notNull()
                table.column("sheet", .text).notNull()
                table.column("cell", .text)
                table.column("message", .text).notNull()
                table.primaryKey(["review", "id"])
            }
            try db.create(table: "mark") { table in
                table.column("district", .text).notNull()
                table.column("finding", .text).notNull()
                table.column("status", .text).notNull()
                table.column("note", .text).notNull()
                table.column("markedAt", .text).notNull()
                table.primaryKey(["district", "finding"])
            }
        }
        migrator.registerMigration("2 owners' scorecards") { db in
            try db.create(table: "owner") { table in
                table.column("review", .integer).notNull().references("review", onDelete: .cascade)
                table.column("owner", .text).notNull()
                table.column("lines", .integer).notNull()
                table.column("revised", .double).notNull()
                table.column("actual", .double).notNull()
                table.column("encumbered", .double).notNull()
                table.column("available", .double).notNull()
                table.column("overspent", .double).notNull()
                table.column("errors", .integer).notNull()
                table.column("warnings", .integer).notNull()
                table.column("information", .integer).notNull()
                table.primaryKey(["review", "owner"])
            }
        }
        return migrator
    }

    // MARK: Writing

    /// Records a review; its id.
    @discardableResult
    public func record(_ report: RunJob.Report, district: String, at time: Date = Date()) throws(Problem) -> Int64 {
        try write { db in
            // The fiscal year the as-of date falls in, by the district's own fiscal_year_start.
            let startMonth = report.params.first { $0.name == RuleChecker.fiscalYearStart }.flatMap { Int($0.value) } ?? 7
            let fiscalYear = report.asOf.flatMap { text in ValueText.withUTF8(text) { ValueText.date($0) } }.map { FiscalYear(startMonth: startMonth).name(of: $0) }
            try db.execute(sql: """
                INSERT INTO review (district, input, fiscalYear, asOf, reviewedAt, ruleFingerprint, preset, errors, warnings, information)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [district, report.input, fiscalYear, report.asOf, Self.timestamp(time), report.ruleFingerprint, report.preset,
                                 report.counts[.error] ?? 0, report.counts[.warning] ?? 0, report.counts[.info] ?? 0])
            let review = db.lastInsertedRowID
            for indicator in report.indicators {
                try db.execute(sql: "INSERT INTO indicator (review, indicator, pathway, assessed, value, number, level) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               arguments: [review, indicator.indicator, indicator.pathway, indicator.assessed, indicator.value, indicator.number,
                                           indicator.level?.rawValue])
            }
            for goal in report.goalProgress {
                try db.execute(sql: "INSERT OR REPLACE INTO goal (review, goal, indicator, status, current, expected) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [review, goal.goal, goal.indicator, goal.status.rawValue, goal.current, goal.expected])
            }
            for card in report.ownerScorecards {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO owner (review, owner, lines, revised, actual, encumbered, available, overspent, errors, warnings, information)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [review, card.owner, card.lines, card.revised, card.actual, card.encumbered, card.available, card.overspent,
                                     card.findings[Severity.error.rawValue] ?? 0, card.findings[Severity.warning.rawValue] ?? 0,
                                     card.findings[Severity.info.rawValue] ?? 0])
            }
            for finding in report.findings {
                guard let id = finding.id else { continue }
                try db.execute(sql: "INSERT OR REPLACE INTO finding (review, id, rule, severity, sheet, cell, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               arguments: [review, id, finding.rule, finding.severity.rawValue, finding.sheet, finding.cells.first, finding.message])
            }
            return review
        }
    }

    /// Records what a reviewer wrote: the latest status and note of each finding of the district.
    public func record(marks: [ReviewerNotes.Note], district: String, at time: Date = Date()) throws(Problem) {
        try write { db in
            for mark in marks {
                try db.execute(sql: "INSERT OR REPLACE INTO mark (district, finding, status, note, markedAt) VALUES (?, ?, ?, ?, ?)",
                               arguments: [district, mark.id, mark.status, mark.note, Self.timestamp(time)])
            }
        }
    }

    // MARK: Reading

    /// The district's latest review: when, and its findings with the reviewer's marks.
    public struct PastReview: Sendable {
        public let id: Int64
        public let asOf: String?
        public let findings: [ReviewerNotes.Note]
    }

    public func lastReview(of district: String) throws(Problem) -> PastReview? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, asOf FROM review WHERE district = ? ORDER BY id DESC LIMIT 1", arguments: [district]) else {
                return nil
            }
            let review: Int64 = row["id"]
            let findings = try Row.fetchAll(db, sql: """
                SELECT f.id, f.rule, f.message, COALESCE(m.status, '') AS status, COALESCE(m.note, '') AS note
                FROM finding f LEFT JOIN mark m ON m.district = ? AND m.finding = f.id
                WHERE f.review = ? ORDER BY f.rowid
                """, arguments: [district, review]).map { row in
                ReviewerNotes.Note(id: row["id"], rule: row["rule"], message: row["message"], status: row["status"], note: row["note"])
            }
            return PastReview(id: review, asOf: row["asOf"], findings: findings)
        }
    }

    /// The owners' scorecards as a review recorded them, by owner (money and findings; not names or goals).
    public func owners(inReview review: Int64) throws(Problem) -> [String: OwnerScorecard] {
        try read { db in
            var cards: [String: OwnerScorecard] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM owner WHERE review = ?", arguments: [review]) {
                var card = OwnerScorecard(owner: row["owner"])
                card.lines = row["lines"]
                card.revised = row["revised"]
                card.actual = row["actual"]
                card.encumbered = row["encumbered"]
                card.available = row["available"]
                card.overspent = row["overspent"]
                card.findings = [Severity.error.rawValue: row["errors"], Severity.warning.rawValue: row["warnings"], Severity.info.rawValue: row["information"]]
                cards[card.owner] = card
            }
            return cards
        }
    }

    /// The reviewer's latest marks of the district's findings, by finding id.
    public func marks(of district: String) throws(Problem) -> [String: SinceLastReview.Carried] {
        try read { db in
            var marks: [String: SinceLastReview.Carried] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT finding, status, note FROM mark WHERE district = ?", arguments: [district]) {
                marks[row["finding"]] = SinceLastReview.Carried(status: row["status"], note: row["note"])
            }
            return marks
        }
    }

    /// One indicator's value and level at one review of the district, oldest review first.
    public struct IndicatorPoint: Sendable, Equatable {
        public let review: Int64
        public let asOf: String?
        public let indicator: String
        public let pathway: String
        public let value: String?
        public let number: Double?
        public let level: String?
    }

    public func indicators(of district: String) throws(Problem) -> [IndicatorPoint] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.id, r.asOf, i.indicator, i.pathway, i.value, i.number, i.level FROM indicator i JOIN review r ON r.id = i.review
                WHERE r.district = ? ORDER BY r.id, i.indicator
                """, arguments: [district]).map { row in
                IndicatorPoint(review: row["id"], asOf: row["asOf"], indicator: row["indicator"], pathway: row["pathway"], value: row["value"],
                               number: row["number"], level: row["level"])
            }
        }
    }

    // MARK: Plumbing

    private func write<T>(_ body: (Database) throws -> T) throws(Problem) -> T {
        do { return try queue.write(body) } catch { throw Problem(description: Self.sentence(for: error)) }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(Problem) -> T {
        do { return try queue.read(body) } catch { throw Problem(description: Self.sentence(for: error)) }
    }

    private static func sentence(for error: any Error) -> String {
        guard let error = error as? DatabaseError else { return "\(error)" }
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return "the file is damaged or is not a Pathways history"
        case .SQLITE_BUSY, .SQLITE_LOCKED: return "another program kept it locked"
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN: return "Pathways may not write to it (the file or its folder is read-only, or missing)"
        case .SQLITE_FULL: return "the disk is full"
        default: return error.message ?? "\(error)"
        }
    }

    private static func timestamp(_ time: Date) -> String {
        ISO8601DateFormatter().string(from: time)
    }
}

extension ReviewerNotes {
    /// What changed between a past review's `findings` and this review's: the reviewer's `marks`
    /// carried to the findings found again, the new findings, and the resolved ones.
    static func change(since past: [Note], marks: [String: SinceLastReview.Carried], source: String, asOf: String?,
                       to findings: [Finding]) -> SinceLastReview {
        let ids = Set(findings.compactMap(\.id))
        return SinceLastReview(
            source: source, asOf: asOf,
            carried: marks.filter { ids.contains($0.key) && (!($0.value.status.isEmpty || $0.value.status == "Open") || !$0.value.note.isEmpty) },
            new: ids.subtracting(past.map(\.id)),
            resolved: past.filter { !ids.contains($0.id) }.map { SinceLastReview.Resolved(id: $0.id, rule: $0.rule, message: $0.message, status: $0.status, note: $0.note) })
    }
}

import RulesEngine
import Tabular

/// A finding's identity from one review of a district to the next: its rule with the keys of its
/// group, or the content of the row it flags, never the row's number. A ledger exported again
/// with lines added above still gives its old findings their old identities, so the reviewer's
/// status and note follow them; a line whose content changed is a new finding.
enum FindingIdentity {
    /// One identity per finding, in order: `BO-1-5c0f31a2d4e6b789`; a second finding of one
    /// identity (two identical lines flagged alike) gets `-2`, in the findings' order.
    static func identities(of findings: [Finding], binding: WorkbookBinding, evaluation: Evaluation) -> [String] {
        var rowIndex: [String: [Int32: Int]] = [:]
        func content(table name: String, sheetRow: Int) -> String? {
            guard let bound = binding.tables[name.lowercased()] else { return nil }
            if rowIndex[name.lowercased()] == nil {
                rowIndex[name.lowercased()] = Dictionary(bound.table.sourceRows.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            }
            guard let row = rowIndex[name.lowercased()]?[Int32(sheetRow)] else { return nil }
            return bound.table.columns.map { $0[row].description }.joined(separator: "\u{1F}")
        }
        let views = Dictionary(evaluation.shownViews.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        var seen: [String: Int] = [:]
        return findings.map { finding in
            var parts = [finding.rule, finding.table.lowercased()]
            if let group = finding.group { parts += group.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } }
            if let row = finding.rows.first {
                if let view = views[finding.table.lowercased()], row >= 1, row <= view.rows.count {
                    // A view's row is named by its key, its first column (a site code, a goal id).
                    parts.append(view.rows[row - 1].first?.description ?? "")
                } else if let text = content(table: finding.table, sheetRow: row) {
                    parts.append(text)
                } else {
                    // A cell that could not be read: its sheet, column and text.
                    parts += [finding.sheet, finding.columns.joined(separator: ","), finding.message]
                }
            }
            let base = "\(finding.rule)-" + Fingerprint.hex(Fingerprint.fnv1a(parts.joined(separator: "\u{1E}")))
            seen[base, default: 0] += 1
            return seen[base]! == 1 ? base : "\(base)-\(seen[base]!)"
        }
    }

}

/// FNV-1a, 64 bits: short, stable fingerprints of text (rule files, a finding's row), not a secret.
enum Fingerprint {
    static func fnv1a(_ text: String, continuing hash: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var hash = hash
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }

    /// Sixteen hex digits.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

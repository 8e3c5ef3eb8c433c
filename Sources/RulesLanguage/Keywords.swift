/// The word that starts a declaration, at the left edge of its line.
enum DeclarationKeyword: String, CaseIterable {
    case table, param, preset, pathway, rule, view, indicator, goal, test

    /// The clause words a declaration can have, in the order `pathways fmt` writes them: the
    /// parser accepts exactly these and the formatter lays them out in this order, so the two
    /// cannot drift apart.
    var clauses: [ClauseKeyword] {
        switch self {
        case .table: [.about, .from, .required, .key, .column, .segments, .or]
        case .param: []
        case .preset: [.set, .about, .source]
        case .pathway: [.about]
        case .rule: [.pathway, .severity, .compliance, .for, .where, .let, .when, .flag, .message, .fix, .about, .source]
        case .view: [.from, .let, .where, .column, .order, .show, .about]
        // Level lines (`exemplary when >= 95%`) are an indicator's clauses too, written with `otherwise`.
        case .indicator: [.pathway, .per, .let, .measure, .otherwise, .about, .source]
        case .goal: [.indicator, .target, .by, .owner, .about]
        case .test: [.given, .as, .expect]
        }
    }

    /// What a trainer calls it, with its article: "a rule", "an indicator".
    var named: String {
        switch self {
        case .param: "a parameter"
        case .indicator: "an indicator"
        default: "a \(rawValue)"
        }
    }
}

/// The word that starts a clause line under a declaration.
enum ClauseKeyword: String {
    case about, from, required, key, column, segments, or, set
    case pathway, severity, compliance, `for`, `let`, when, flag, message, fix, source
    case `where`, order, show
    case measure, otherwise, per
    case indicator, target, by, owner
    case given, `as`, expect
}

/// The language's words, for an editor's completion: the declarations, and the clauses each has
/// in the order `pathways fmt` writes them.
public enum LanguageWords {
    public static var declarations: [String] { DeclarationKeyword.allCases.map(\.rawValue) }

    public static func clauses(of declaration: String) -> [String] {
        DeclarationKeyword(rawValue: declaration)?.clauses.map(\.rawValue) ?? []
    }
}

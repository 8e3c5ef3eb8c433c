/// What a chart of accounts' codes mean: the oracle's own copy of the code lists the rules take
/// from `rules/*.rules` (NCES) and `rules/presets.rules` (a state's), each a list of starts. Kept
/// apart from the rules so an answer key catches a preset that says something else; change one,
/// change the other.
struct ChartMeaning {
    var personnelObjects: [String]
    var catchAll: [String]
    var fixedObligations: [String]
    var transportObjects: [String]
    var transportFunctions: [String]
    var noSalaryFunctions: [String]
    var nonCurrentFunctions: [String]
    var federalFunds: [String]
    var federalProjects: [String]
    var title1Funds: [String]
    var title1Projects: [String]
    var generalFund: String

    static let nces = ChartMeaning(
        personnelObjects: ["1", "2"], catchAll: ["890", "899"], fixedObligations: ["41", "44", "51", "52", "53", "56", "62", "83", "91"],
        transportObjects: ["51"], transportFunctions: ["27"], noSalaryFunctions: ["5"], nonCurrentFunctions: ["33", "4", "5"],
        federalFunds: [], federalProjects: ["4", "5", "6", "7", "8", "9"], title1Funds: [], title1Projects: ["411", "412"], generalFund: "100")

    static let texas = ChartMeaning(
        personnelObjects: ["61"], catchAll: ["6499"], fixedObligations: ["625", "626", "642", "65"], transportObjects: [],
        transportFunctions: ["34"], noSalaryFunctions: ["71"], nonCurrentFunctions: ["61", "71", "81", "9"], federalFunds: ["2"],
        federalProjects: [], title1Funds: ["211"], title1Projects: [], generalFund: "199")

    static let california = ChartMeaning(
        personnelObjects: ["1", "2", "3"], catchAll: ["4390", "5890"], fixedObligations: ["545", "55", "56", "59", "743"], transportObjects: [],
        transportFunctions: ["36"], noSalaryFunctions: ["9"], nonCurrentFunctions: ["81", "85", "86", "9"], federalFunds: [],
        federalProjects: ["3", "4", "5"], title1Funds: [], title1Projects: ["3010"], generalFund: "01")

    static let newYork = ChartMeaning(
        personnelObjects: ["1", "8"], catchAll: [], fixedObligations: [], transportObjects: [], transportFunctions: ["55"],
        noSalaryFunctions: ["97"], nonCurrentFunctions: ["97", "99"], federalFunds: ["F"], federalProjects: [], title1Funds: ["F"],
        title1Projects: [], generalFund: "A")

    private static func starts(_ code: String, _ starts: [String]) -> Bool { starts.contains { code.hasPrefix($0) } }

    func isPersonnel(_ account: Account) -> Bool { Self.starts(account.object, personnelObjects) }
    func isCatchAll(_ account: Account) -> Bool { Self.starts(account.object, catchAll) }
    func isFixedObligation(_ account: Account) -> Bool { Self.starts(account.object, fixedObligations) }
    func isCurrent(_ account: Account) -> Bool { !Self.starts(account.function, nonCurrentFunctions) }
    func isFederal(_ account: Account) -> Bool { Self.starts(account.project, federalProjects) || Self.starts(account.fund, federalFunds) }
    func isTitle1(_ account: Account) -> Bool { Self.starts(account.project, title1Projects) || Self.starts(account.fund, title1Funds) }

    /// An object a function may not use: transport objects outside transportation, pay in debt service.
    func isInvalidPair(_ account: Account) -> Bool {
        (Self.starts(account.object, transportObjects) && !Self.starts(account.function, transportFunctions))
            || (isPersonnel(account) && Self.starts(account.function, noSalaryFunctions))
    }
}

/// How an export writes the generator's NCES codes in its own chart of accounts, and what its
/// codes then mean. A code the maps leave out is written as it is.
struct ChartTranslation {
    var meaning: ChartMeaning
    var funds: [String: String] = [:]
    var functions: [String: String] = [:]
    var objects: [String: String] = [:]
    var programs: [String: String] = [:]
    var projects: [String: String] = [:]
    /// Objects written with a sub-object of their own, where two NCES objects share one (Texas).
    var subObjects: [String: String] = [:]
    /// The function special education teaching is written under, where a chart has one (New York's 2250).
    var specialEducationFunction: String?

    static let nces = ChartTranslation(meaning: .nces)

    /// Texas (FASRG): 199 general fund, 211 Title I and 224 IDEA-B; two-digit functions; 61xx payroll.
    static let texas = ChartTranslation(
        meaning: .texas, funds: ["100": "199", "200": "211", "250": "224"],
        functions: ["1000": "11", "2100": "31", "2200": "13", "2300": "41", "2400": "23", "2500": "41", "2580": "53", "2600": "51",
                    "2700": "34", "5100": "71"],
        objects: ["110": "6119", "112": "6119", "115": "6129", "210": "6141", "320": "6219", "330": "6239", "340": "6299", "410": "6259",
                  "430": "6249", "510": "6299", "520": "6429", "560": "6299", "610": "6399", "640": "6329", "650": "6395", "730": "6398",
                  "830": "6521", "890": "6499"],
        programs: ["100": "11", "200": "23"], projects: ["411": "000", "430": "000"], subObjects: ["112": "01"])

    /// California (SACS): everything in the general fund 01, federal money known by its resource
    /// (3010 Title I, 3310 IDEA), goal 1110 regular and 5001 special education.
    static let california = ChartTranslation(
        meaning: .california, funds: ["100": "01", "200": "01", "250": "01"],
        functions: ["1000": "1000", "2100": "3110", "2200": "2140", "2300": "7200", "2400": "2700", "2500": "7300", "2580": "7700",
                    "2600": "8200", "2700": "3600", "5100": "9100"],
        objects: ["110": "1100", "112": "1105", "115": "2100", "210": "3101", "320": "5800", "330": "5220", "340": "5810", "410": "5500",
                  "430": "5630", "510": "5800", "520": "5450", "560": "5100", "610": "4300", "640": "4200", "650": "4310", "730": "4400",
                  "830": "7438", "890": "4390"],
        programs: ["100": "1110", "200": "5001"],
        projects: ["000": "0000", "101": "1101", "102": "1102", "103": "1103", "104": "1104", "411": "3010", "430": "3310"])

    /// New York: the general fund A and the special aid fund F, four-digit functions and
    /// three-digit objects after a point (.1xx personal services, .8xx benefits); no project.
    static let newYork = ChartTranslation(
        meaning: .newYork, funds: ["100": "A", "200": "F", "250": "F"],
        functions: ["1000": "2110", "2100": "2810", "2200": "2070", "2300": "1240", "2400": "2020", "2500": "1310", "2580": "1680",
                    "2600": "1620", "2700": "5510", "5100": "9710"],
        objects: ["110": "120", "112": "121", "115": "140", "210": "800", "320": "400", "330": "409", "340": "490", "410": "405",
                  "430": "406", "510": "407", "520": "408", "560": "471", "610": "450", "640": "480", "650": "460", "730": "200",
                  "830": "700", "890": "499"],
        specialEducationFunction: "2250")

    /// The district with every code written in this chart: accounts, goals' projects and fund summaries.
    func translate(_ district: District) -> District {
        var translated = district
        for index in translated.accounts.indices {
            let nces = district.accounts[index]
            var account = nces
            account.fund = funds[nces.fund] ?? nces.fund
            account.function = functions[nces.function] ?? nces.function
            if let specialEducationFunction, nces.program == "200", nces.function == "1000" { account.function = specialEducationFunction }
            account.object = objects[nces.object] ?? nces.object
            account.subObject = subObjects[nces.object] ?? nces.subObject
            account.program = programs[nces.program] ?? nces.program
            account.project = projects[nces.project] ?? nces.project
            translated.accounts[index] = account
        }
        for index in translated.goals.indices {
            translated.goals[index].project = projects[district.goals[index].project] ?? district.goals[index].project
        }
        // Funds a chart writes as one (California's 01) keep the first fund's summary only.
        var seen: Set<String> = []
        translated.funds = district.funds.compactMap { summary in
            var summary = summary
            summary.fund = funds[summary.fund] ?? summary.fund
            return seen.insert(summary.fund).inserted ? summary : nil
        }
        return translated
    }
}

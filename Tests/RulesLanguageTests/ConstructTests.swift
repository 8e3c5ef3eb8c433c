import Testing
@testable import RulesLanguage

private func declarations(_ text: String) -> [Declaration] {
    let (tree, diagnostics, file) = parse(text)
    #expect(diagnostics.isEmpty, "\(DiagnosticReport(files: [file], diagnostics: diagnostics).text)")
    return tree.declarations.map(\.declaration)
}

private func onlyExpression(_ formula: String) -> Expression? {
    guard case .rule(let rule)? = declarations("rule R-1 \"r\"\n  when \(formula)\n").first else { return nil }
    return rule.condition
}

/// A small rule set every checking test below builds on.
private let base = """
    table transactions "Transactions"
      column posted  date  "Posting Date"
      column account code  "Account"
        segments fund, function, object, site split by "-"
      column vendor  text  "Vendor"
      column owner   text  "Budget Owner" optional
      column amount  money "Amount"
    table accounts "Budget"
      key code
      column code    code  "Account"
      column owner   text  "Owner"
      column revised money "Revised Budget"
    table sites "Schools"
      key code
      column code       code    "Site"
      column enrollment number  "Enrollment"
      column poverty    percent "% FRL"
    param approval_limit = $5,000
    param catch_all = ("890", "6399")
    pathway management "Management"
    """

private func checkWithBase(_ text: String) -> CheckResult {
    check(["a-base.rules": base, "b-test.rules": text])
}

@Suite struct ConstructTests {
    @Test func tablesDeclareSheetsKeysColumnsAndSegments() throws {
        guard case .table(let table)? = declarations("""
            table accounts "Budget"
              from sheet "Budget Status", "GL Budget"
              required
              key code
              column code    code  "Account", "Account Number"
                segments fund, object split by "-"
              column revised money "Revised Budget" optional
            """).first else { Issue.record("not a table"); return }
        #expect(table.title == "Budget")
        #expect(table.sheetHints == ["Budget Status", "GL Budget"])
        #expect(table.isRequired)
        #expect(table.keys.map(\.text) == ["code"])
        #expect(table.columns.map(\.name.text) == ["code", "revised"])
        #expect(table.columns[0].aliases == ["Account", "Account Number"])
        #expect(table.columns[0].segments.map(\.text) == ["fund", "object"])
        #expect(table.columns[0].separator == "-")
        #expect(table.columns[1].type == .money && table.columns[1].isOptional)
    }

    @Test func paramsHoldLiteralsAndLists() {
        let parsed = declarations("param limit = $5,000.50 \"Approval limit.\"\nparam codes = (\"890\", \"6399\")\nparam start = 2024-07-01\n")
        guard case .param(let limit) = parsed[0], case .param(let codes) = parsed[1], case .param(let start) = parsed[2] else {
            Issue.record("not params"); return
        }
        #expect(limit.value == .money("5000.50", limit.value.span))
        #expect(limit.about == "Approval limit.")
        guard case .list(let items, _) = codes.value else { Issue.record("not a list"); return }
        #expect(items.count == 2)
        #expect(start.value == .date("2024-07-01", start.value.span))
    }

    @Test func rulesHaveEveryClause() throws {
        guard case .rule(let rule)? = declarations("""
            rule BO-05 "Possible split purchase"
              pathway management
              severity warning
              for transactions by vendor, WEEKNUM(posted)
              let total = SUM(amount)
              when COUNT() >= 2 and total >= approval_limit
              flag amount, vendor
              message "{COUNT()} payments to {vendor} add up to {total}."
              fix "Ask whether these were one purchase."
              about "Purchases split to stay under the limit."
            """).first else { Issue.record("not a rule"); return }
        #expect(rule.id.text == "BO-05")
        #expect(rule.severity == .warning)
        #expect(rule.groupKeys.count == 2)
        #expect(rule.lets.map(\.name.text) == ["total"])
        #expect(rule.flags.count == 2)
        let parts = try #require(rule.message?.parts)
        #expect(parts.count == 6)
        #expect(parts[1] == .text(" payments to "))
        #expect(rule.fix?.parts == [.text("Ask whether these were one purchase.")])
        #expect(rule.about == "Purchases split to stay under the limit.")
    }

    @Test func aRuleMayChooseItsRowsAndCutItsGroupsIntoWindowsOfDays() throws {
        let text = """
            rule BO-05 "Possible split purchase"
              pathway management
              severity warning
              for transactions by vendor, FISCALYEAR(posted) within 14 days of posted
              where vendor is not blank and amount < approval_limit
              when COUNT() >= 2 and SUM(amount) >= approval_limit
              flag amount
              message "{COUNT()} payments to {vendor} from {MIN(posted)} to {MAX(posted)} add up to {SUM(amount)}."
            """
        guard case .rule(let rule)? = declarations(text).first else { Issue.record("not a rule"); return }
        #expect(rule.groupKeys.count == 2)
        let window = try #require(rule.window)
        #expect(window.days == .number("14", window.days.span))
        #expect(window.date == .name(qualifier: nil, Name(text: "posted", span: window.date.span)))
        #expect(rule.filter != nil)
        let result = checkWithBase(text)
        #expect(result.report.diagnostics.filter { $0.span.file == 1 }.isEmpty, "\(result.report.text)")
        let checked = try #require(result.ruleSet?.rules.first { $0.id == "BO-05" })
        #expect(checked.window != nil && checked.filter != nil)
    }

    @Test func viewsIndicatorsGoalsAndTests() throws {
        let parsed = declarations("""
            view site_spending "Spending by school"
              from transactions by site
              where amount > 0
              column spent = SUM(amount)
              order by spent, site
              show
            indicator RE-1 "Even spending"
              pathway resource_equity
              measure CV(site_spending.spent)
              exemplary   when <= 0.10
              established when <= 0.15
              otherwise emerging
            goal G-1 "Even by June"
              indicator RE-1
              target <= 0.10
              by 2027-06-30
              owner "Finance director"
            test "a blank owner"
              given transactions
                | Budget Owner | Amount |
                |              | 120.00 |
              expect BO-01 flags row 1 column owner
              expect BO-05 flags nothing
              expect RE-1 level exemplary
            """)
        guard case .view(let view) = parsed[0], case .indicator(let indicator) = parsed[1],
              case .goal(let goal) = parsed[2], case .test(let test) = parsed[3] else { Issue.record("wrong declarations"); return }
        #expect(view.isShown && view.filter != nil && view.columns.count == 1)
        #expect(view.order.map(\.text) == ["spent", "site"])
        #expect(indicator.bands.map(\.level) == [.exemplary, .established, .emerging])
        #expect(indicator.bands.last?.comparison == nil)
        #expect(goal.comparison == "<=" && goal.owner == "Finance director")
        #expect(test.examples.first?.headers == ["Budget Owner", "Amount"])
        #expect(test.examples.first?.rows == [["", "120.00"]])
        guard case .flags(1, let column) = test.expectations[0].outcome else { Issue.record("\(test.expectations[0])"); return }
        #expect(column?.text == "owner")
        #expect(test.expectations[1].outcome == .flagsNothing)
        #expect(test.expectations[2].outcome == .level(.exemplary))
    }

    /// In brackets a comma separates values unless exactly three digits follow it, so an amount
    /// with a thousands comma can come before another value, with or without a space.
    @Test(arguments: ["MAX($5,000, amount)", "MAX($5,000,amount)", "MAX($5,000.50,amount)", "MAX($1,234,567, amount)"])
    func anAmountWithAThousandsCommaIsOneValueOfAFunction(formula: String) throws {
        let call = try #require(onlyExpression(formula + " > 0"))
        guard case .binary(">", .call(_, let arguments, filter: nil, _), _, _) = call, arguments.count == 2,
              case .money(let amount, _) = arguments[0], case .name(nil, let name) = arguments[1] else { Issue.record("\(call)"); return }
        #expect(["5000", "5000.50", "1234567"].contains(amount))
        #expect(name.text == "amount")
    }

    @Test func aCommaBeforeFewerOrMoreThanThreeDigitsSeparatesValues() throws {
        let round = try #require(onlyExpression("ROUND(amount,2) > MAX($1,5) + MAX($1,2345)"))
        guard case .binary(">", .call(_, let roundArguments, _, _), .binary("+", .call(_, let first, _, _), .call(_, let second, _, _), _), _) = round else {
            Issue.record("\(round)"); return
        }
        #expect(roundArguments.count == 2 && first.count == 2 && second.count == 2)
        // Outside brackets no comma separates values, so misplaced ones are said to be.
        let (_, diagnostics, _) = parse("param p = $1,00\n")
        #expect(diagnostics.map(\.message) == ["`$1,00` has its commas in the wrong places."])
        // A plain number with a thousands comma is ambiguous in brackets: one value or two?
        let (_, numberDiagnostics, _) = parse("param p = MAX(1,000, 2)\n")
        #expect(numberDiagnostics.map(\.message) == ["`1,000` has a thousands separator, but in a formula a comma separates values."])
    }

    /// Views and indicators name values with `let`, as rules do; `fmt` writes them after the
    /// view's `from` and the indicator's `pathway`.
    @Test func viewsAndIndicatorsHaveLets() throws {
        let text = """
            view spending "Spending by site"
              column spent = SUM(amount)
              let share = SUM(amount) / SUM(transactions.amount)  # of the district
              from transactions by site
              where share > 1%

            indicator RE-9 "Largest share"
              measure MAX(spending.spent) / total
              # the whole district
              let total = SUM(transactions.amount)
              pathway resource_equity
              exemplary when <= limit
              otherwise emerging
              let limit = 10%

            """
        let found = declarations(text)
        guard case .view(let view)? = found.first, case .indicator(let indicator)? = found.last else { Issue.record("\(found)"); return }
        #expect(view.lets.map(\.name.text) == ["share"])
        #expect(view.lets.first?.comments.trailing == "of the district")
        #expect(indicator.lets.map(\.name.text) == ["total", "limit"])
        #expect(indicator.lets.first?.comments.leading == ["the whole district"])
        let formatted = try RuleFormatter.format(SourceFile(path: "x.rules", text: text)).get()
        #expect(formatted == """
            view spending "Spending by site"
              from transactions by site
              let share = SUM(amount) / SUM(transactions.amount)  # of the district
              where share > 1%
              column spent = SUM(amount)

            indicator RE-9 "Largest share"
              pathway resource_equity
              # the whole district
              let total = SUM(transactions.amount)
              let limit = 10%
              measure MAX(spending.spent) / total
              exemplary when <= limit
              otherwise emerging

            """)
        #expect(parse(formatted).0 == parse(text).0)
    }

    @Test func operatorsBindAsInExcel() throws {
        let sum = try #require(onlyExpression("a + b * c > 1"))
        guard case .binary(">", .binary("+", _, .binary("*", _, _, _), _), _, _) = sum else { Issue.record("\(sum)"); return }
        let logic = try #require(onlyExpression("a or b and not c"))
        guard case .binary("or", _, .binary("and", _, .unary("not", _, _), _), _) = logic else { Issue.record("\(logic)"); return }
        let between = try #require(onlyExpression("amount between $1 and $5 and owner is not blank"))
        guard case .binary("and", .between(_, _, _, negated: false, _), .isBlank(_, negated: true, _), _) = between else { Issue.record("\(between)"); return }
        let membership = try #require(onlyExpression("object not in catch_all and vendor like \"AC*\""))
        guard case .binary("and", .isIn(_, _, negated: true, _), .like(_, _, negated: false, _), _) = membership else { Issue.record("\(membership)"); return }
        let power = try #require(onlyExpression("2 ^ 3 ^ 2 = 512"))
        guard case .binary("=", .binary("^", _, .binary("^", _, _, _), _), _, _) = power else { Issue.record("\(power)"); return }
        let header = try #require(onlyExpression("[Budget Owner] & sites.[% FRL] = \"x\""))
        guard case .binary("=", .binary("&", .header(nil, "Budget Owner", _), .header(_, "% FRL", _), _), _, _) = header else { Issue.record("\(header)"); return }
        let call = try #require(onlyExpression("COUNT(where amount > 0) > SUM(amount where vendor = \"A\")"))
        guard case .binary(">", .call(_, let countArguments, let countFilter, _), .call(_, let sumArguments, let sumFilter, _), _) = call else {
            Issue.record("\(call)"); return
        }
        #expect(countArguments.isEmpty && countFilter != nil)
        #expect(sumArguments.count == 1 && sumFilter != nil)
    }

    @Test func aLongFormulaMayContinueOnAnIndentedLine() throws {
        guard case .rule(let rule)? = declarations("rule R-1 \"r\"\n  when amount > 0 and\n      owner is blank\n  flag owner\n").first else { return }
        guard case .binary("and", _, .isBlank, _)? = rule.condition else { Issue.record("\(String(describing: rule.condition))"); return }
        #expect(rule.flags.count == 1)
    }

    // MARK: Checking

    @Test func correlatedTotalsHeaderReferencesSegmentsAndLookupsCheck() {
        let result = checkWithBase("""
            rule MG-01 "Spending past the owner's budget"
              pathway management
              severity error
              for transactions
              when amount > SUM(accounts.revised where accounts.owner = owner) and object not in catch_all and [Budget Owner] is not blank
              flag amount
              message "{owner} has spent {amount} on {object} at a school of {LOOKUP(sites.enrollment, site)} students."
            """)
        #expect(result.report.diagnostics.filter { $0.span.file == 1 }.isEmpty, "\(result.report.text)")
    }

    @Test func groupedRulesUseKeysAndTotals() {
        let result = checkWithBase("""
            rule BO-05 "Possible split purchase"
              pathway management
              severity warning
              for transactions by vendor, WEEKNUM(posted)
              when COUNT() >= 2 and MAX(amount) < approval_limit and SUM(amount) >= approval_limit
              flag amount
              message "{COUNT()} payments to {vendor} in week {WEEKNUM(posted)} add up to {SUM(amount)}."
            """)
        #expect(result.report.diagnostics.filter { $0.span.file == 1 }.isEmpty, "\(result.report.text)")
    }

    @Test func viewsOnViewsIndicatorsAndGoalsCheck() throws {
        let result = checkWithBase("""
            view site_spending "Spending by school"
              from transactions by site
              column spent      = SUM(amount)
              column enrollment = LOOKUP(sites.enrollment, site)
              column per_pupil  = spent / enrollment
            view big_sites "Large schools"
              from site_spending by site
              column per_pupil = MAX(per_pupil)
              show
            indicator MG-1 "Owned spending"
              pathway management
              measure SHARE(transactions.owner is not blank)
              exemplary   when >= 100%
              established when >= 98%
              otherwise emerging
            indicator MG-2 "Even spending"
              pathway management
              measure CV(big_sites.per_pupil)
              exemplary when <= 0.10
              otherwise emerging
            goal G-1 "Every dollar owned"
              indicator MG-1
              target >= 100%
              by 2027-06-30
            """)
        #expect(result.report.errorCount == 0, "\(result.report.text)")
        let ruleSet = try #require(result.ruleSet)
        #expect(ruleSet.symbols["site_spending"]?.column("per_pupil")?.type == .money, "dollars per pupil")
        #expect(ruleSet.symbols["big_sites"]?.column("per_pupil")?.type == .money)
        #expect(ruleSet.indicators.count == 2)
    }

    @Test func typesFollowTheArithmetic() throws {
        let result = checkWithBase("""
            view per_site "Per site"
              from transactions by site
              column total    = SUM(amount)
              column scaled   = total * 10%
              column ratio    = total / SUM(amount)
              column days     = MAX(posted) - MIN(posted)
              column later    = MAX(posted) + 30
              column label    = site & ": " & total
              show
            """)
        #expect(result.report.errorCount == 0, "\(result.report.text)")
        let symbol = try #require(result.ruleSet?.symbols["per_site"])
        #expect(symbol.column("scaled")?.type == .money)
        #expect(symbol.column("ratio")?.type == .percent, "an amount over an amount is a ratio, shown as a percentage")
        #expect(symbol.column("days")?.type == .number)
        #expect(symbol.column("later")?.type == .date)
        #expect(symbol.column("label")?.type == .text)
    }

    @Test func unusedThingsAreWarningsNotErrors() {
        let result = check(["x.rules": """
            table t "T"
              column a number "A"
            param unused = 5
            pathway lonely "Lonely"
            view quiet "Quiet"
              from t
              column b = a
            """])
        #expect(result.report.errorCount == 0)
        #expect(result.report.warningCount == 3)
        #expect(result.ruleSet != nil)
    }

    @Test func declarationOrderAcrossFilesDoesNotMatter() {
        let rule = """
            rule BO-01 "No owner"
              pathway management
              severity error
              for transactions
              when owner is blank
              flag owner
              message "No owner."
            """
        #expect(check(["a.rules": rule, "b.rules": base]).report.errorCount == 0)
        #expect(check(["a.rules": base, "b.rules": rule]).report.errorCount == 0)
    }
}

import Foundation
import RulesLanguage
import Tabular

/// The evaluation of the catalogue's one-value functions, row by row of the vectors.
enum ScalarFunctions {
    static func apply(_ function: Function, _ values: [Vector], count: Int, fiscalYear: FiscalYear) -> Vector {
        switch function {
        case .round:
            let digits = values.count > 1 ? numbers(values[1]) : [Double](repeating: 0, count: count)
            switch values[0] {
            case .money(let amounts, let remainders):
                // Rounded to at most four places, an amount has no remainder left.
                return .money((0 ..< count).map { row in
                    guard amounts[row] != Vector.blankMoney else { return Vector.blankMoney }
                    let places = Int(digits[row].isNaN ? 0 : digits[row])
                    let exact = Double(amounts[row]) + (remainders?[row] ?? 0)
                    guard places < Money.fractionDigits else { return exact.rounded(.toNearestOrAwayFromZero).clampedInt64 }
                    var unit: Int64 = 1
                    for _ in 0 ..< min(18, Money.fractionDigits - places) { unit *= 10 }
                    return (exact / Double(unit)).rounded(.toNearestOrAwayFromZero).clampedInt64 * unit
                }, remainders: nil)
            case .numbers(let numbers, let percent):
                return .numbers((0 ..< count).map { row in
                    guard !numbers[row].isNaN else { return .nan }
                    let factor = pow(10, digits[row].isNaN ? 0 : digits[row])
                    return (numbers[row] * factor).rounded(.toNearestOrAwayFromZero) / factor
                }, percent: percent)
            default: return values[0]
            }
        case .abs:
            switch values[0] {
            case .money(let amounts, let remainders):
                return .money(amounts.map { $0 == Vector.blankMoney ? $0 : abs($0) },
                              remainders: remainders.map { zip(amounts, $0).map { amount, remainder in amount < 0 ? -remainder : remainder } })
            case .numbers(let numbers, let percent): return .numbers(numbers.map { abs($0) }, percent: percent)
            default: return values[0]
            }
        case .log10:
            return .numbers(numbers(values[0]).map { $0 > 0 ? Foundation.log10($0) : .nan }, percent: false)
        case .firstDigit:
            if case .money(let amounts, _) = values[0] {
                // Straight from the whole ten-thousandths, so no rounding can change the digit.
                return .numbers(amounts.map { $0 == Vector.blankMoney || $0 == 0 ? .nan : Double(firstDigit(of: $0.magnitude)) }, percent: false)
            }
            return .numbers(numbers(values[0]).map(firstDigit), percent: false)
        case .if:
            guard case .flags(let conditions) = values[0] else { return values[1] }
            let otherwise = values.count > 2 ? values[2] : Vector.constant(.blank, count: count)
            return Vector.build((0 ..< count).map { conditions[$0] == 1 ? values[1].value($0) : otherwise.value($0) }, like: values[1])
        case .left, .right, .mid, .len, .upper, .lower, .trim:
            return text(function, values, count: count)
        case .hasTag:
            let lists = values[0].strings, tags = values[1].strings
            return .flags((0 ..< count).map { row in
                guard let list = lists[row], let tag = tags[row]?.trimmingCharacters(in: .whitespaces).uppercased(), !tag.isEmpty else { return 0 }
                return list.uppercased().split(whereSeparator: { ";,| \t".contains($0) }).contains { $0 == tag } ? 1 : 0
            })
        case .fiscalYear, .fiscalYearStart, .fiscalYearEnd:
            guard case .dates(let days) = values[0] else { return .constant(.blank, count: count) }
            if function == .fiscalYear {
                return .numbers(days.map { $0 == Vector.blankDate ? .nan : Double(fiscalYear.name(of: CalendarDate(daysSince1970: $0))) }, percent: false)
            }
            return .dates(days.map { day in
                guard day != Vector.blankDate else { return Vector.blankDate }
                let year = fiscalYear.name(of: CalendarDate(daysSince1970: day))
                let first = function == .fiscalYearStart ? fiscalYear.start(of: year) : fiscalYear.start(of: year + 1) - 1
                return Int32(clamping: first)
            })
        case .year, .month, .day, .weekday, .weeknum:
            guard case .dates(let days) = values[0] else { return .numbers([Double](repeating: .nan, count: count), percent: false) }
            return .numbers(days.map { day in
                guard day != Vector.blankDate else { return .nan }
                let date = CalendarDate(daysSince1970: day)
                let (year, month, dayOfMonth) = date.components
                switch function {
                case .year: return Double(year)
                case .month: return Double(month)
                case .day: return Double(dayOfMonth)
                case .weekday: return Double(weekday(day))
                default:
                    // Excel's WEEKNUM: week 1 holds 1 January; weeks start on Sunday.
                    let january1 = CalendarDate.daysSince1970(year: year, month: 1, day: 1)
                    return Double((Int(day) - january1 + weekday(Int32(january1)) - 1) / 7 + 1)
                }
            }, percent: false)
        case .date:
            let years = numbers(values[0]), months = numbers(values[1]), days = numbers(values[2])
            return .dates((0 ..< count).map { row in
                // Beyond any real date (or not a number) is blank, as Excel's #NUM! is no date either.
                let limit = 10_000_000.0
                guard abs(years[row]) < limit, abs(months[row]) < limit, abs(days[row]) < limit else { return Vector.blankDate }
                // Like Excel, month 13 is January of the next year and day 0 the last of the month before.
                let monthIndex = Int(years[row]) * 12 + Int(months[row]) - 1
                let year = monthIndex >= 0 ? monthIndex / 12 : (monthIndex - 11) / 12
                guard let first = CalendarDate(year: year, month: monthIndex - year * 12 + 1, day: 1) else { return Vector.blankDate }
                return first.daysSince1970 + Int32(clamping: Int(days[row]) - 1)
            })
        case .min, .max:
            let rows = (0 ..< count).map { row in values.map { $0.value(row) }.filter { $0 != .blank } }
            return Vector.build(rows.map { candidates in
                candidates.min { function == .min ? Value.isOrderedBefore($0, $1) : Value.isOrderedBefore($1, $0) } ?? .blank
            }, like: values[0])
        case .sum, .count, .average, .median, .stdev, .stdevp, .cv, .cvp, .correl, .share, .today, .elapsed, .lookup, .ifBlank:
            // Totals, the as-of date and LOOKUP are the evaluator's: they need more than one row's values.
            preconditionFailure("\(function.rawValue) is not a function of one value")
        }
    }

    private static func text(_ function: Function, _ values: [Vector], count: Int) -> Vector {
        if function == .len, case .pooled(let ids, let pool, _) = values[0] {
            // Lengths straight from the pooled bytes, without building a string per row.
            return .numbers(ids.map { Double(pool.characterCount($0)) }, percent: false)
        }
        let texts = values[0].strings
        let code: Bool
        if case .pooled(_, _, let isCode) = values[0] { code = isCode } else if case .texts(_, let isCode) = values[0] { code = isCode } else { code = false }
        let first = values.count > 1 ? numbers(values[1]) : [Double](repeating: 1, count: count)
        let second = values.count > 2 ? numbers(values[2]) : []
        if function == .len { return .numbers(texts.map { Double($0?.count ?? 0) }, percent: false) }
        return .texts((0 ..< count).map { row -> String? in
            guard let text = texts[row] else { return nil }
            switch function {
            case .upper: return text.uppercased()
            case .lower: return text.lowercased()
            case .trim: return text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            case .left: return String(text.prefix(max(0, Int(first[row].isNaN ? 1 : first[row]))))
            case .right: return String(text.suffix(max(0, Int(first[row].isNaN ? 1 : first[row]))))
            default:
                let start = max(1, Int(first[row].isNaN ? 1 : first[row]))
                let length = max(0, Int(second[row].isNaN ? 0 : second[row]))
                return String(text.dropFirst(start - 1).prefix(length))
            }
        }, code: code)
    }

    static func numbers(_ vector: Vector) -> [Double] {
        switch vector {
        case .numbers(let values, _): values
        case .money(let values, let remainders):
            values.indices.map { values[$0] == Vector.blankMoney ? .nan : (Double(values[$0]) + (remainders?[$0] ?? 0)) / Double(Money.scale) }
        default: [Double](repeating: .nan, count: vector.count)
        }
    }

    /// The first digit of a whole number of ten-thousandths, which is an amount's first digit.
    static func firstDigit(of whole: UInt64) -> Int {
        var value = whole
        while value >= 10 { value /= 10 }
        return Int(value)
    }

    /// The first significant digit of a number, whatever its sign or size; blank for 0.
    static func firstDigit(_ number: Double) -> Double {
        guard number.isFinite, number != 0 else { return .nan }
        // Read from the number written to fifteen significant digits, as Excel keeps it, so 0.3
        // (0.29999… in binary) starts with 3 and no division can round a digit away.
        let written = String(format: "%.14e", Swift.abs(number))
        return written.first?.wholeNumberValue.map(Double.init) ?? .nan
    }

    /// 1 for Sunday to 7 for Saturday, as Excel's WEEKDAY; 1970-01-01 was a Thursday.
    static func weekday(_ days: Int32) -> Int { ((Int(days) % 7 + 7) % 7 + 4) % 7 + 1 }
}

/// Totals over groups of rows; blanks are skipped.
enum Aggregates {
    static func apply(_ function: Function, _ values: [Vector], groups: GroupRows) -> Vector {
        let count = groups.count
        switch function {
        case .count:
            guard let counted = values.first else {
                return .numbers((0 ..< count).map { Double(groups.starts[$0 + 1] - groups.starts[$0]) }, percent: false)
            }
            let blanks = counted.blanks
            return .numbers((0 ..< count).map { group in Double(groups.rows(group).filter { !blanks[Int($0)] }.count) }, percent: false)
        case .share:
            guard case .flags(let flags) = values[0] else { return .numbers([Double](repeating: .nan, count: count), percent: true) }
            return .numbers((0 ..< count).map { group in
                let rows = groups.rows(group)
                return rows.isEmpty ? .nan : Double(rows.filter { flags[Int($0)] == 1 }.count) / Double(rows.count)
            }, percent: true)
        case .correl:
            let first = ScalarFunctions.numbers(values[0]), second = ScalarFunctions.numbers(values[1])
            let weights = values.count > 2 ? ScalarFunctions.numbers(values[2]) : nil
            return .numbers((0 ..< count).map { group in
                correlation(groups.rows(group).map(Int.init).compactMap { row in
                    let weight = weights?[row] ?? 1
                    return first[row].isNaN || second[row].isNaN || !(weight > 0) ? nil : (first[row], second[row], weight)
                })
            }, percent: false)
        case .cvp where values.count > 1:
            let numbers = ScalarFunctions.numbers(values[0]), weights = ScalarFunctions.numbers(values[1])
            return .numbers((0 ..< count).map { group in
                weightedCoefficientOfVariation(groups.rows(group).map(Int.init).compactMap { row in
                    numbers[row].isNaN || !(weights[row] > 0) ? nil : (numbers[row], weights[row])
                })
            }, percent: false)
        default:
            break
        }
        switch values[0] {
        // A spread of amounts is a number, worked out from them in dollars below.
        case .money(let amounts, let remainders) where function != .cv && function != .cvp:
            if let remainders {
                return .amounts((0 ..< count).map { group in exactMoneyTotal(function, groups.rows(group), amounts, remainders) })
            }
            return .amounts((0 ..< count).map { group in moneyTotal(function, groups.rows(group), amounts) })
        case .dates(let days):
            return .dates((0 ..< count).map { group in
                var result: Int32?
                for row in groups.rows(group) where days[Int(row)] != Vector.blankDate {
                    let day = days[Int(row)]
                    result = result.map { function == .min ? min($0, day) : max($0, day) } ?? day
                }
                return result ?? Vector.blankDate
            })
        default:
            let numbers = ScalarFunctions.numbers(values[0])
            let percent: Bool
            if case .numbers(_, let isPercent) = values[0] { percent = isPercent } else { percent = false }
            return .numbers((0 ..< count).map { group in numberTotal(function, groups.rows(group), numbers) }, percent: percent && function != .cv && function != .cvp)
        }
    }

    /// SUM, AVERAGE, MIN and MAX stream over the rows; the others need the values together. An
    /// average is the exact total divided by the count, with what is left below a ten-thousandth.
    private static func moneyTotal(_ function: Function, _ rows: ArraySlice<Int32>, _ amounts: [Int64]) -> Money? {
        switch function {
        case .sum, .average:
            var total: Int64 = 0
            var present = 0
            for row in rows where amounts[Int(row)] != Vector.blankMoney {
                let (sum, overflow) = total.addingReportingOverflow(amounts[Int(row)])
                if overflow { return nil }
                total = sum
                present += 1
            }
            if function == .sum { return Money(scaled: total) }
            return present == 0 ? nil : Money.quotient(total, dividedBy: Double(present))
        case .min, .max:
            var result: Int64?
            for row in rows where amounts[Int(row)] != Vector.blankMoney {
                let amount = amounts[Int(row)]
                result = result.map { function == .min ? min($0, amount) : max($0, amount) } ?? amount
            }
            return result.map { Money(scaled: $0) }
        default:
            let present = rows.map { amounts[Int($0)] }.filter { $0 != Vector.blankMoney }.map(Double.init)
            let result = function == .median ? median(present) : standardDeviation(present, population: function == .stdevp)
            return result.flatMap { Money(tenThousandths: $0) }
        }
    }

    /// `moneyTotal` over amounts some of which a division left remainders in (per-pupil figures).
    private static func exactMoneyTotal(_ function: Function, _ rows: ArraySlice<Int32>, _ amounts: [Int64], _ remainders: [Double]) -> Money? {
        let present = rows.map(Int.init).filter { amounts[$0] != Vector.blankMoney }.map { Money(scaled: amounts[$0], remainder: remainders[$0]) }
        switch function {
        case .sum, .average:
            var total = Money.zero
            for amount in present {
                guard let sum = try? total.adding(amount) else { return nil }
                total = sum
            }
            if function == .sum { return total }
            return present.isEmpty ? nil : Money.quotient(total.scaled, remainder: total.remainder, dividedBy: Double(present.count))
        case .min: return present.min()
        case .max: return present.max()
        default:
            let values = present.map { Double($0.scaled) + $0.remainder }
            let result = function == .median ? median(values) : standardDeviation(values, population: function == .stdevp)
            return result.flatMap { Money(tenThousandths: $0) }
        }
    }

    private static func numberTotal(_ function: Function, _ rows: ArraySlice<Int32>, _ numbers: [Double]) -> Double {
        switch function {
        case .sum, .average:
            var total = 0.0
            var present = 0
            for row in rows where !numbers[Int(row)].isNaN {
                total += numbers[Int(row)]
                present += 1
            }
            return function == .sum ? total : (present == 0 ? .nan : total / Double(present))
        case .min, .max:
            var result: Double?
            for row in rows where !numbers[Int(row)].isNaN {
                let number = numbers[Int(row)]
                result = result.map { function == .min ? min($0, number) : max($0, number) } ?? number
            }
            return result ?? .nan
        default:
            let present = rows.map { numbers[Int($0)] }.filter { !$0.isNaN }
            switch function {
            case .median: return median(present) ?? .nan
            case .stdev, .stdevp: return standardDeviation(present, population: function == .stdevp) ?? .nan
            case .cv, .cvp: return coefficientOfVariation(present, population: function == .cvp)
            default: return .nan
            }
        }
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The sample standard deviation, as Excel's STDEV, or the population one, as STDEV.P.
    static func standardDeviation(_ values: [Double], population: Bool = false) -> Double? {
        guard values.count > (population ? 0 : 1) else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - (population ? 0 : 1))).squareRoot()
    }

    static func coefficientOfVariation(_ values: [Double], population: Bool = false) -> Double {
        guard let deviation = standardDeviation(values, population: population) else { return .nan }
        let mean = values.reduce(0, +) / Double(values.count)
        return mean == 0 ? .nan : deviation / mean
    }

    /// The population coefficient of variation with each value counted `weight` times.
    static func weightedCoefficientOfVariation(_ values: [(value: Double, weight: Double)]) -> Double {
        let total = values.reduce(0) { $0 + $1.weight }
        guard values.count > 0, total > 0 else { return .nan }
        let mean = values.reduce(0) { $0 + $1.value * $1.weight } / total
        let variance = values.reduce(0) { $0 + $1.weight * ($1.value - mean) * ($1.value - mean) } / total
        return mean == 0 ? .nan : variance.squareRoot() / mean
    }

    /// Pearson's correlation, each pair counted `weight` times (1 for CORREL without weights).
    static func correlation(_ pairs: [(x: Double, y: Double, weight: Double)]) -> Double {
        guard pairs.count > 1 else { return .nan }
        let total = pairs.reduce(0) { $0 + $1.weight }
        let meanX = pairs.reduce(0) { $0 + $1.x * $1.weight } / total, meanY = pairs.reduce(0) { $0 + $1.y * $1.weight } / total
        var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
        for (x, y, weight) in pairs {
            covariance += weight * (x - meanX) * (y - meanY)
            varianceX += weight * (x - meanX) * (x - meanX)
            varianceY += weight * (y - meanY) * (y - meanY)
        }
        let denominator = (varianceX * varianceY).squareRoot()
        return denominator == 0 ? .nan : covariance / denominator
    }
}

extension Double {
    var clampedInt64: Int64 { isFinite && abs(self) < 9.2e18 ? Int64(self) : Vector.blankMoney }
}

extension Value {
    /// Orders values of one kind (numbers, amounts, dates, text).
    static func isOrderedBefore(_ lhs: Value, _ rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.money(let a), .money(let b)): a < b
        case (.number(let a), .number(let b)), (.percent(let a), .percent(let b)): a < b
        case (.money(let a), .number(let b)): a.doubleValue < b
        case (.number(let a), .money(let b)): a < b.doubleValue
        case (.date(let a), .date(let b)): a < b
        default: lhs.description < rhs.description
        }
    }
}

extension Vector {
    /// A vector in the representation of `template`, from one value per row.
    static func build(_ values: [Value], like template: Vector) -> Vector {
        switch template {
        case .money: .amounts(values.map { if case .money(let money) = $0 { money } else if case .number(let number) = $0 { Money(rounding: number) } else { nil } })
        case .dates: .dates(values.map { if case .date(let date) = $0 { date.daysSince1970 } else { blankDate } })
        case .flags: .flags(values.map { if case .yesNo(let flag) = $0 { flag ? 1 : 0 } else { blankFlag } })
        case .numbers(_, let percent): .numbers(values.map {
            switch $0 {
            case .number(let number), .percent(let number): number
            case .money(let money): money.doubleValue
            default: .nan
            }
        }, percent: percent)
        case .texts(_, let code), .pooled(_, _, let code):
            .texts(values.map { $0 == .blank ? nil : ($0.description) }, code: code)
        }
    }
}

import Foundation
import RulesEngine
import RulesLanguage
import Testing
@testable import Reports

/// The fills a reviewer tells apart at a glance stay apart for readers who see colour differently
/// and on a grayscale printout: each severity from each other severity and each level from each
/// other level in every view, and every severity from every level in colour (in gray the word in
/// the cell tells them apart). Distances are CIE 1976 ΔE in CIELAB, with colour-blind sight
/// simulated by Machado, Oliveira and Fernandes (2009) at full severity.
struct PaletteTests {
    /// About three times the smallest difference a reader notices.
    static let apart = 7.0

    enum Sight: String, CaseIterable {
        case typical, protanopia, deuteranopia, tritanopia, grayscale
    }

    static let simulations: [Sight: [[Double]]] = [
        .protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
        .deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
        .tritanopia: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    ]

    /// A fill as `sight` sees it, in CIELAB.
    static func lab(_ rgb: UInt32, _ sight: Sight) -> [Double] {
        let linear = [rgb >> 16, rgb >> 8, rgb].map { channel -> Double in
            let value = Double(channel & 0xFF) / 255
            return value <= 0.04045 ? value / 12.92 : pow((value + 0.055) / 1.055, 2.4)
        }
        let seen = simulations[sight].map { matrix in matrix.map { row in min(1, max(0, zip(row, linear).map(*).reduce(0, +))) } } ?? linear
        let xyz = [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]].map { zip($0, seen).map(*).reduce(0, +) }
        let white = [0.9505, 1.0, 1.089]
        let f = zip(xyz, white).map { value, reference -> Double in
            let t = value / reference
            return t > pow(6.0 / 29, 3) ? cbrt(t) : t / (3 * pow(6.0 / 29, 2)) + 4.0 / 29
        }
        let lightness = 116 * f[1] - 16
        return sight == .grayscale ? [lightness, 0, 0] : [lightness, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])]
    }

    static func distance(_ first: UInt32, _ second: UInt32, _ sight: Sight) -> Double {
        sqrt(zip(lab(first, sight), lab(second, sight)).map { ($0 - $1) * ($0 - $1) }.reduce(0, +))
    }

    static let severities = Severity.allCases.map { ($0.rawValue, SeverityColour.fill($0)) }
    static let levels = Level.allCases.map { ($0.rawValue, LevelColour.fill($0)) }

    @Test(arguments: Sight.allCases) func severitiesStayApart(_ sight: Sight) {
        for (index, first) in Self.severities.enumerated() {
            for second in Self.severities[(index + 1)...] {
                let distance = Self.distance(first.1, second.1, sight)
                #expect(distance >= Self.apart, "\(first.0) and \(second.0) are \(distance) apart in \(sight)")
            }
        }
    }

    @Test(arguments: Sight.allCases) func levelsStayApart(_ sight: Sight) {
        for (index, first) in Self.levels.enumerated() {
            for second in Self.levels[(index + 1)...] {
                let distance = Self.distance(first.1, second.1, sight)
                #expect(distance >= Self.apart, "\(first.0) and \(second.0) are \(distance) apart in \(sight)")
            }
        }
    }

    @Test(arguments: Sight.allCases.filter { $0 != .grayscale }) func aSeverityIsNeverALevel(_ sight: Sight) {
        for severity in Self.severities {
            for level in Self.levels {
                let distance = Self.distance(severity.1, level.1, sight)
                #expect(distance >= Self.apart, "\(severity.0) and \(level.0) are \(distance) apart in \(sight)")
            }
        }
    }

    /// Levels run from light to dark as they rise, so a grayscale copy still reads as a scale.
    @Test func levelsDarkenAsTheyRise() {
        let lightness = Self.levels.map { Self.lab($0.1, .grayscale)[0] }
        #expect(lightness == lightness.sorted(), "\(lightness)")
    }

    /// Black type stays legible on every fill: WCAG contrast of at least 4.5 to 1.
    @Test func blackTypeReadsOnEveryFill() {
        for (name, fill) in Self.severities + Self.levels {
            let luminance = [fill >> 16, fill >> 8, fill].map { channel -> Double in
                let value = Double(channel & 0xFF) / 255
                return value <= 0.04045 ? value / 12.92 : pow((value + 0.055) / 1.055, 2.4)
            }
            let y = 0.2126 * luminance[0] + 0.7152 * luminance[1] + 0.0722 * luminance[2]
            #expect((y + 0.05) / 0.05 >= 4.5, "\(name)")
        }
    }
}

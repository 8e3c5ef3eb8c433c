import CXlsxWriter
import RulesEngine
import RulesLanguage
import SpreadsheetIO

/// The colours of severities: light vermilion, light yellow and lavender gray, lightest to darkest
/// warning, information, error, so they stay apart on a grayscale printout and to colour-blind
/// readers (PaletteTests measures it).
enum SeverityColour {
    static func fill(_ severity: Severity) -> UInt32 {
        switch severity {
        case .error: 0xF1937A
        case .warning: 0xFEE08B
        case .info: 0xCFCCDD
        }
    }
}

/// The colours of rubric levels: ColorBrewer's green-blue scale, darker as the level rises, so the
/// scale reads in gray too, and blue-green where the severities are red, yellow and gray.
enum LevelColour {
    static func fill(_ level: Level) -> UInt32 {
        switch level {
        case .exemplary: 0x43A2CA
        case .established: 0x7BCCC4
        case .developing: 0xBAE4BC
        case .emerging: 0xF0F9E8
        }
    }
}

extension Writer {
    /// A cell's fill: a finding's severity or a rubric level, each with its own colour.
    struct FormatKey: Hashable {
        let key: String
        let fill: Fill?
    }

    enum Fill: Hashable {
        case severity(Severity)
        case level(Level)
        /// A level resting on few of its indicators: its colour in stripes, not solid.
        case tentativeLevel(Level)

        var colour: UInt32 {
            switch self {
            case .severity(let severity): SeverityColour.fill(severity)
            case .level(let level), .tentativeLevel(let level): LevelColour.fill(level)
            }
        }
    }

    /// A format by a key of what it needs (`bold`, `date`, `money|wrap`, …) and its fill, made once.
    mutating func format(_ key: String, fill: Fill? = nil) -> UnsafeMutablePointer<lxw_format> {
        // Keyed by the parts themselves: describing the fill in text took longer than writing the cell.
        let cacheKey = FormatKey(key: key, fill: fill)
        if let known = formats[cacheKey] { return known }
        let made = workbook_add_format(workbook)!
        if case .tentativeLevel? = fill {
            format_set_pattern(made, UInt8(LXW_PATTERN_LIGHT_UP.rawValue))
            format_set_fg_color(made, fill!.colour)
            format_set_bg_color(made, 0xFFFFFF)
        } else if let fill {
            format_set_pattern(made, UInt8(LXW_PATTERN_SOLID.rawValue))
            format_set_bg_color(made, fill.colour)
        }
        for part in key.split(separator: "|") {
            switch part {
            case "bold": format_set_bold(made)
            case "header":
                format_set_bold(made)
                format_set_bottom(made, UInt8(LXW_BORDER_THIN.rawValue))
                format_set_text_wrap(made)
                format_set_align(made, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
            case "title":
                format_set_bold(made)
                format_set_font_size(made, 14)
            case "wrap":
                format_set_text_wrap(made)
                format_set_align(made, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
            case "link":
                format_set_font_color(made, 0x0563C1)
                format_set_underline(made, UInt8(LXW_UNDERLINE_SINGLE.rawValue))
                format_set_align(made, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
            // The format US finance systems export and Excel shows by default.
            case "date": format_set_num_format(made, "m/d/yyyy")
            case "datetime": format_set_num_format(made, "m/d/yyyy h:mm")
            case "time": format_set_num_format(made, "hh:mm:ss")
            case "money": format_set_num_format(made, "_(* #,##0.00_);_(* (#,##0.00);_(* \"-\"??_);_(@_)")
            case "percent": format_set_num_format(made, "0.0%")
            case "percent2": format_set_num_format(made, "0.00%")
            case "decimal": format_set_num_format(made, "#,##0.00")
            // A change: its sign always shown.
            case "change": format_set_num_format(made, "+#,##0;-#,##0;0")
            case "moneyChange": format_set_num_format(made, "+#,##0.00;-#,##0.00;0.00")
            default: break
            }
        }
        formats[cacheKey] = made
        return made
    }

    /// The format of a cell: its number format (`date`, `money`, …) and its fill; nil for neither.
    /// Looked up in a small table rather than by building a key per cell.
    mutating func cellFormat(_ base: String?, _ severity: Severity?) -> UnsafeMutablePointer<lxw_format>? {
        guard base != nil || severity != nil else { return nil }
        let baseIndex = base.flatMap { Writer.bases.firstIndex(of: $0) } ?? 0
        let slot = baseIndex * Writer.fillSlots + Writer.slot(of: severity)
        if let known = cellFormats[slot] { return known }
        let made = format(base ?? "", fill: severity.map(Fill.severity))
        cellFormats[slot] = made
        return made
    }

    static let bases = ["", "date", "datetime", "time", "money", "percent", "decimal"]
    /// No fill, then one per severity.
    static let fillSlots = Severity.allCases.count + 1

    static func slot(of severity: Severity?) -> Int { severity.map { Severity.allCases.firstIndex(of: $0)! + 1 } ?? 0 }

    func worst(_ findings: [Int]) -> Severity {
        findings.map { contents.findings[$0].severity }.min() ?? .info
    }

    /// The district's own look for a cell (its number format, bold), with the fill of a severity;
    /// made once per style and severity.
    mutating func districtFormat(_ look: (style: Int, look: CellLook), severity: Severity?) -> UnsafeMutablePointer<lxw_format>? {
        let key = look.style * Writer.fillSlots + Writer.slot(of: severity)
        if let known = lookFormats[key] { return known }
        let made = workbook_add_format(workbook)!
        if let code = look.look.formatCode {
            format_set_num_format(made, code)
        } else if look.look.builtInFormat != 0 {
            format_set_num_format_index(made, UInt8(look.look.builtInFormat))
        }
        if look.look.bold { format_set_bold(made) }
        if let severity {
            format_set_pattern(made, UInt8(LXW_PATTERN_SOLID.rawValue))
            format_set_bg_color(made, SeverityColour.fill(severity))
        }
        lookFormats[key] = made
        return made
    }
}

import FuzzSupport
import RulesLanguage

// Any text as a rule file: lexed, parsed, checked, and formatted when it checks.
fuzz { bytes in
    let file = SourceFile(path: "fuzz.rules", text: String(decoding: bytes, as: UTF8.self))
    _ = RuleChecker.check([file])
    _ = RuleFormatter.format(file)
}

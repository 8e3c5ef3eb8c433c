// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Pathways",
    platforms: [.macOS(.v13)],
    products: [
        // The command is `pathways`; its target is PathwaysCLI, so that its folder does not collide
        // with Sources/Pathways on a file system that ignores case (macOS, Windows).
        .executable(name: "pathways", targets: ["PathwaysCLI"]),
        .library(name: "Pathways", targets: ["Pathways"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Run history: each review, its findings and the reviewer's marks, in SQLite.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZip",
            pkgConfig: "libzip",
            providers: [.apt(["libzip-dev"])]
        ),
        // Deflate for the worksheets Pathways writes itself, compressed on every core.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CXlsxWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        .target(name: "CFileSystem"),
        .target(name: "Tabular"),
        .target(name: "SpreadsheetIO", dependencies: ["Tabular", "CZip", "CZlib", "CXlsxWriter"]),
        .target(name: "RulesLanguage", dependencies: ["Tabular"]),
        .target(name: "RulesEngine", dependencies: ["Tabular", "SpreadsheetIO", "RulesLanguage"]),
        .target(name: "Reports", dependencies: ["Tabular", "SpreadsheetIO", "RulesEngine", "CXlsxWriter"]),
        .target(name: "Pathways", dependencies: ["Tabular", "SpreadsheetIO", "RulesLanguage", "RulesEngine", "Reports", "CFileSystem",
                                                 .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Samples", dependencies: ["Tabular", "SpreadsheetIO"]),
        // `pathways lsp`: the trainer's editor checks rule files as they type.
        .target(name: "LanguageServer", dependencies: ["RulesLanguage"]),
        .executableTarget(
            name: "PathwaysCLI",
            dependencies: ["Pathways", "Reports", "Samples", "LanguageServer", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "pathways-benchmark",
            dependencies: ["SpreadsheetIO", "Tabular", "RulesLanguage", "RulesEngine", "Reports", "CXlsxWriter", "CZip", "LanguageServer"],
            path: "Benchmarks/pathways-benchmark"
        ),
        .testTarget(name: "TabularTests", dependencies: ["Tabular"]),
        .testTarget(name: "SpreadsheetIOTests", dependencies: ["SpreadsheetIO", "Tabular", "CXlsxWriter", "CZip"]),
        .testTarget(name: "RulesLanguageTests", dependencies: ["RulesLanguage"], exclude: ["Mistakes"]),
        .testTarget(name: "RulesEngineTests", dependencies: ["RulesEngine", "RulesLanguage", "SpreadsheetIO", "Tabular"]),
        .testTarget(name: "LanguageServerTests", dependencies: ["LanguageServer", "RulesLanguage"]),
        .testTarget(name: "PathwaysTests", dependencies: ["Pathways", "Reports", "Samples", "SpreadsheetIO", "Tabular", "RulesLanguage", "RulesEngine",
                                                       "CXlsxWriter"]),
    ],
    swiftLanguageModes: [.v6]
)

// Fuzz targets (libFuzzer), built only by scripts/fuzz, which sets PATHWAYS_FUZZ and the
// sanitizer flags: a plain build and CI never see them.
if Context.environment["PATHWAYS_FUZZ"] != nil {
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/FuzzSupport"))
    for (name, dependencies) in [("fuzz-csv", ["SpreadsheetIO", "Tabular"]), ("fuzz-xlsx", ["SpreadsheetIO", "Tabular"]),
                                 ("fuzz-rules", ["RulesLanguage"]), ("fuzz-values", ["Tabular", "SpreadsheetIO"])] {
        package.targets.append(.executableTarget(name: name, dependencies: ["FuzzSupport"] + dependencies.map { .target(name: $0) },
                                                 path: "Fuzz/\(name)"))
    }
}

import Foundation
@testable import Pathways

/// The repository's root, for its rules/ and workbooks/samples/.
let project: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 3 { url.deleteLastPathComponent() }
    return url
}()

/// A run of the default rules on a bundled sample (`struggling-district.xlsx`), writing to `output` when given.
func sampleOptions(_ sample: String, output: URL? = nil) -> RunJob.Options {
    var options = RunJob.Options(input: project.appendingPathComponent("workbooks/samples/\(sample)").path)
    options.rules = project.appendingPathComponent("rules").path
    if let output { options.output = output.path }
    return options
}

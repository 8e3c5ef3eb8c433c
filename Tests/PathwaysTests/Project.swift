import Foundation

/// The repository's root, for its rules/ and workbooks/samples/.
let project: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 3 { url.deleteLastPathComponent() }
    return url
}()

/// The closing line of `pathways check`.
public enum RuleCheckSummary {
    public static func sentence(files: Int, report: DiagnosticReport) -> String {
        let fileText = "\(files) rule file\(files == 1 ? "" : "s")"
        switch (report.errorCount, report.warningCount) {
        case (0, 0): return "Checked \(fileText): no mistakes."
        case (0, let warnings): return "Checked \(fileText): no mistakes, \(warnings) warning\(warnings == 1 ? "" : "s")."
        case (let errors, let warnings):
            return "Checked \(fileText): \(errors) mistake\(errors == 1 ? "" : "s")" + (warnings > 0 ? " and \(warnings) warning\(warnings == 1 ? "" : "s")" : "") + " to fix."
        }
    }
}

// Starts `pathways lsp` for the workspace's rule files and hands VS Code to it.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const settings = vscode.workspace.getConfiguration("pathways");
  const rules = settings.get("rules");
  const server = { command: settings.get("path") || "pathways", args: ["lsp"].concat(rules ? ["--rules", rules] : []) };
  client = new LanguageClient("pathways", "Pathways rules", { run: server, debug: server }, {
    documentSelector: [{ scheme: "file", language: "pathways-rules" }],
    initializationOptions: { review: settings.get("review") || "" },
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.rules") },
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

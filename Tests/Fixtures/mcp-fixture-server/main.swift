// A small MCP server over stdio for the DBOSAgents tests, built on the MCP SDK. Every tool call
// is appended to the file named by FIXTURE_CALL_LOG (`<tool>\t<arguments>`) before it runs, so
// tests can count the calls that really happened.
//
// Tools: lookup {key} (text), broken_json (declares JSON output, returns malformed JSON),
// crash_once (exits mid-call unless FIXTURE_MARKER exists; creates it), always_crash (exits
// mid-call), fail (an isError result), hang (never answers; logs its process ID).
import Foundation
import MCP

let environment = ProcessInfo.processInfo.environment
let callLog = environment["FIXTURE_CALL_LOG"]
let marker = environment["FIXTURE_MARKER"]

func log(_ line: String) {
    guard let callLog else { return }
    let descriptor = open(callLog, O_WRONLY | O_CREAT | O_APPEND, 0o644)   // one append per call
    guard descriptor >= 0 else { return }
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
}

func schema(_ properties: [String: Value] = [:]) -> Value {
    .object(["type": "object", "properties": .object(properties), "required": .array(properties.keys.sorted().map { .string($0) })])
}

let tools = [
    Tool(name: "lookup", description: "The value stored under a key.", inputSchema: schema(["key": .object(["type": "string"])])),
    Tool(name: "broken_json", description: "Answers JSON (it is malformed).", inputSchema: schema(),
         outputSchema: .object(["type": "object"])),
    Tool(name: "crash_once", description: "Exits mid-call the first time.", inputSchema: schema()),
    Tool(name: "always_crash", description: "Exits mid-call.", inputSchema: schema()),
    Tool(name: "fail", description: "Reports an error.", inputSchema: schema()),
    Tool(name: "hang", description: "Never answers.", inputSchema: schema()),
]

func text(_ value: String, isError: Bool = false) -> CallTool.Result {
    CallTool.Result(content: [.text(text: value, annotations: nil, _meta: nil)], isError: isError)
}

let server = Server(name: "fixture", version: "1.0.0", capabilities: .init(tools: .init(listChanged: false)))
await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
await server.withMethodHandler(CallTool.self) { parameters in
    let arguments = parameters.arguments ?? [:]
    let key = arguments["key"]?.stringValue ?? ""
    log("\(parameters.name)\t\(parameters.name == "hang" ? String(getpid()) : key)")
    switch parameters.name {
    case "lookup": return text("value-of-\(key)")
    case "broken_json": return text("{\"temperature\": 21,")
    case "crash_once":
        if let marker, FileManager.default.fileExists(atPath: marker) { return text("survived") }
        if let marker { _ = FileManager.default.createFile(atPath: marker, contents: nil) }
        exit(3)
    case "always_crash": exit(4)
    case "fail": return text("the fixture refuses", isError: true)
    case "hang":
        while true { try await Task.sleep(for: .seconds(3600)) }
    default: return text("no tool \(parameters.name)", isError: true)
    }
}
try await server.start(transport: StdioTransport())
await server.waitUntilCompleted()
